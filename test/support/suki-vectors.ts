// Signed test vectors Suki publishes for its webhook signature: exact raw bodies.
export const SUKI_TEST_SECRET = 'test-partner-secret-key-not-for-production';

export interface SignedVector {
  id: string;
  generatedAt: string;
  signature: string;
  body: string;
}

export const SIGNED_VECTORS: SignedVector[] = [
  {
    id: 'S1',
    generatedAt: '1765977748432',
    signature: 'ad64fc09b589856589c143259ad4c49f3290a1ef94a8fe70c7b28f57b62c7a49',
    body: '{"_links":{"contents":[{"href":"/api/v1/ambient/session/f0543ac1-5203-4eaa-a0c2-3d2e0d7a2e94/content","method":"GET","name":"contents","type":"application/json"}],"encounter_content":[{"href":"/api/v1/ambient/encounter/9c72554b-21fd-4f57-9705-4d4b1464c46a/content","method":"GET","name":"encounter_content","type":"application/json"}],"structured_data":[{"href":"/api/v1/ambient/session/f0543ac1-5203-4eaa-a0c2-3d2e0d7a2e94/structured-data","method":"GET","name":"structured_data","type":"application/json"}],"encounter_structured_data":[{"href":"/api/v1/ambient/encounter/9c72554b-21fd-4f57-9705-4d4b1464c46a/structured-data","method":"GET","name":"encounter_structured_data","type":"application/json"}],"status":[{"href":"/api/v1/ambient/session/f0543ac1-5203-4eaa-a0c2-3d2e0d7a2e94/status","method":"GET","name":"status","type":"application/json"}],"transcripts":[{"href":"/api/v1/ambient/session/f0543ac1-5203-4eaa-a0c2-3d2e0d7a2e94/transcript","method":"GET","name":"transcripts","type":"application/json"}]},"additional_info":{"priority":"high"},"encounter_id":"9c72554b-21fd-4f57-9705-4d4b1464c46a","session_id":"f0543ac1-5203-4eaa-a0c2-3d2e0d7a2e94","sessions":["11327976-7f78-457f-b064-2275363fce05","f0543ac1-5203-4eaa-a0c2-3d2e0d7a2e94"],"status":"success"}',
  },
  {
    id: 'S2',
    generatedAt: '1765977749001',
    signature: '1f91863ba587ec3f70dbfe2fe2576c7ac1bf1a0afa347da2fa35d44f6d68d849',
    body: '{"encounter_id":"edd54460-f8c5-414b-b3b5-8f66caf4ba74","session_id":"41a906e8-32f1-4bca-b255-138f71dc84f1","status":"success"}',
  },
  {
    id: 'S3',
    generatedAt: '1765977750250',
    signature: 'bd56a32df223388a7e9c38a510d3dd9c6449bc95fe7bc7158690ca407c5e7b91',
    body: '{"_links":{"contents":[{"href":"/api/v1/ambient/session/8d1c5c7e-012c-427c-bcf1-7f66973bb229/content","method":"GET","name":"contents","type":"application/json"}],"encounter_content":[{"href":"/api/v1/ambient/encounter/0c97cfb1-0fd4-4ce2-b8d4-0e88508f8836/content","method":"GET","name":"encounter_content","type":"application/json"}],"status":[{"href":"/api/v1/ambient/session/8d1c5c7e-012c-427c-bcf1-7f66973bb229/status","method":"GET","name":"status","type":"application/json"}],"transcripts":[{"href":"/api/v1/ambient/session/8d1c5c7e-012c-427c-bcf1-7f66973bb229/transcript","method":"GET","name":"transcripts","type":"application/json"}]},"encounter_id":"0c97cfb1-0fd4-4ce2-b8d4-0e88508f8836","session_id":"8d1c5c7e-012c-427c-bcf1-7f66973bb229","sessions":["8d1c5c7e-012c-427c-bcf1-7f66973bb229"],"status":"success"}',
  },
  {
    id: 'F1',
    generatedAt: '1765977760000',
    signature: '3a6233caf00ba90ef295346699f2e562cde394decf01e1bccf895b6bc0a5180d',
    body: '{"encounter_id":"1bea3671-50fc-45ad-a041-d4cc81a74d24","error_code":"ERROR_CODE_TRANSCRIPTION","error_detail":"Error in transcription","session_id":"0e66d09b-248d-4f2f-9b07-0aba75633291","status":"failure"}',
  },
  {
    id: 'F2',
    generatedAt: '1765977761234',
    signature: '1517754fd93970db0bc949e7d00e59eef42b7e4202eb6292a920c4d844fe947d',
    body: '{"encounter_id":"b779e8f9-8d7b-4552-bf76-6a961e3f520e","error_code":"ERROR_CODE_TRANSCRIPTION","session_id":"ad3d069e-2443-4dae-a874-0cad165bae6a","status":"failure"}',
  },
  {
    id: 'T1',
    generatedAt: '1765977770000',
    signature: 'dea1cbb042605301de498bda88ea7f86519f64691f34a9668cdb76acb4b09b76',
    body: '{"encounter_id":"2bdb0cb1-9aa0-479e-ace6-d15fd24d6a73","session_id":"22cbab56-2954-4468-816c-ee6dad028e58","status":"timeout"}',
  },
  {
    id: 'C1',
    generatedAt: '1765977780000',
    signature: '51d95e224cbab46a3f0fdbd9ce1ecf6a766bbaf83a2b73197d2aff8ec1633624',
    body: '{"encounter_id":"dab00099-a06b-40bf-9b7f-433eff9b7d6a","session_id":"1e326916-3419-4fbc-8b70-2b0799494b1d","status":"cancelled"}',
  },
];
