import {
  encounterContent,
  encounterStructuredData,
  sessionContent,
  sessionStatus,
  sessionStructuredData,
  sessionTranscript,
} from './simulated-content';

const IDS = Array.from({ length: 40 }, (_, i) => `3f1c2a9e-0000-4000-8000-${String(i).padStart(12, '0')}`);

describe('the simulated Suki content (shaped as Suki documents its answers)', () => {
  it('gives the same answer for the same id, every time', () => {
    expect(sessionContent('ses-1')).toEqual(sessionContent('ses-1'));
    expect(sessionTranscript('ses-1')).toEqual(sessionTranscript('ses-1'));
    expect(encounterStructuredData('enc-1')).toEqual(encounterStructuredData('enc-1'));
  });

  it('spreads ids over several different visits', () => {
    const notes = new Set(IDS.map((id) => JSON.stringify(sessionContent(id))));
    expect(notes.size).toBeGreaterThanOrEqual(3);
  });

  it('shapes session and encounter content as Suki does: summary sections with LOINC codes, {title, data} blocks', () => {
    for (const content of [...IDS.map(sessionContent), ...IDS.map(encounterContent)]) {
      expect(Object.keys(content).sort()).toEqual(['structured_data', 'summary']);
      expect(content.summary.length).toBeGreaterThanOrEqual(3);
      for (const section of content.summary) {
        expect(Object.keys(section).sort()).toEqual(['content', 'loinc_code', 'source_transcripts', 'title']);
        expect(section.title).toMatch(/^[A-Z ]+$/);
        expect(section.loinc_code).toMatch(/^\d{4,5}-\d$/);
        expect(section.content.length).toBeGreaterThan(10);
        expect(section.source_transcripts.length).toBeGreaterThan(0);
      }
      for (const block of content.structured_data) {
        expect(block.title).toBe('MEDICATIONS');
        expect(Object.keys(block.data).sort()).toEqual(['dosage', 'medication']);
      }
    }
    expect(sessionContent(IDS[0]).summary.map((s) => s.title)).toContain('ASSESSMENT');
  });

  it('codes every diagnosis in ICD-10 and IMO', () => {
    for (const id of IDS) {
      const { structured_data } = sessionStructuredData(id);
      expect(Object.keys(structured_data)).toEqual(['diagnoses']);
      expect(structured_data.diagnoses.values.length).toBeGreaterThan(0);
      for (const value of structured_data.diagnoses.values) {
        expect(value.codes.map((c) => c.type)).toEqual(['ICD10', 'IMO']);
        expect(value.codes[0].code).toMatch(/^[A-Z]\d{2}(\.\d{1,4})?$/);
        expect(value.codes[1].code).toMatch(/^\d+$/);
        expect(value.diagnosis_note.length).toBeGreaterThan(0);
        expect([value.laterality_indicator, value.post_coord_lex_flag]).toEqual([4, 1]);
      }
    }
  });

  it('adds medication orders linked to a diagnosis at encounter level', () => {
    for (const id of IDS) {
      const { structured_data } = encounterStructuredData(id);
      const diagnosisCodes = structured_data.diagnoses.values.map((v) => v.codes[0].code);
      const orders = structured_data.orders!.medication_orders.partial_values;
      expect(orders.length).toBeGreaterThan(0);
      for (const order of orders) {
        expect(order.drug_name).toMatch(/^[a-z]+$/);
        expect(order.medication_code.code).toMatch(/^\d+$/);
        expect(order.medication_code.type).toBe('RXCUI');
        expect(order.dosage.raw_value).toBe(`${order.dosage.quantity} ${order.dosage.unit}`);
        expect(order.frequency.structured_value).toMatch(/^[A-Z_]+$/);
        expect(Number.isInteger(order.number_of_refills)).toBe(true);
        expect(Date.parse(order.end_date) - Date.parse(order.start_date)).toBe(order.duration_in_days * 86_400_000);
        const [linked] = order.linked_diagnosis_codes;
        expect(linked.type).toBe('ICD10');
        expect(diagnosisCodes).toContain(linked.code);
      }
    }
  });

  it('times transcript entries in order, with ULIDs, nanosecond timestamps and offsets', () => {
    for (const id of IDS) {
      const entries = sessionTranscript(id).final_transcript;
      expect(entries.length).toBeGreaterThanOrEqual(4);
      expect(new Set(entries.map((e) => e.transcript_id)).size).toBe(entries.length);
      expect(new Set(entries.map((e) => e.recording_id)).size).toBe(1);
      let previousEnd = 0;
      for (const entry of entries) {
        expect(entry.transcript_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
        expect(entry.recording_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(entry.lang_id).toBe('en');
        expect(entry.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
        const start = Date.parse(entry.start_time);
        expect(start).toBeGreaterThanOrEqual(previousEnd);
        expect(Date.parse(entry.end_time)).toBeGreaterThan(start);
        previousEnd = Date.parse(entry.end_time);
        const seconds = (o: typeof entry.start_offset) => o.hours * 3600 + o.minutes * 60 + o.seconds + o.nanos / 1e9;
        expect(seconds(entry.end_offset)).toBeGreaterThan(seconds(entry.start_offset));
      }
    }
  });

  it('reports a finished session as completed', () => {
    expect(sessionStatus()).toEqual({ status: 'completed' });
  });
});
