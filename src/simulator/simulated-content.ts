import { MedicationOrder, Scenario, SCENARIOS } from './clinical-scenarios';
import { digest, nanoTimestamp, offset, Offset, ulidFrom, uuidFrom, visitStart } from './deterministic';

/**
 * What the Suki API simulator answers, shaped exactly as Suki documents its answers.
 * Pure and deterministic: the same id always gives the same answer (so a refetch, a restart or
 * a test sees the same note), and different ids spread over the scenarios. The simulator does
 * not know which sessions belong to which encounter, so an encounter's content is picked by the
 * encounter id alone, as a session's is by the session id.
 */

export interface NoteSection {
  title: string;
  loinc_code: string;
  content: string;
  source_transcripts: string[];
}

/** The note and its `{title, data}` blocks. */
export interface NoteContent {
  summary: NoteSection[];
  structured_data: Array<{ title: string; data: Record<string, string> }>;
}

export interface DiagnosisValue {
  codes: Array<{ code: string; description: string; type: 'ICD10' | 'IMO' }>;
  diagnosis_note: string;
  laterality_indicator: number;
  post_coord_lex_flag: number;
}

/** Structured data: session level, and encounter level with medication orders. */
export interface StructuredData {
  structured_data: {
    diagnoses: { values: DiagnosisValue[] };
    orders?: { medication_orders: { partial_values: MedicationOrderValue[] } };
  };
}

/** The fields Suki lists for a medication order. */
export interface MedicationOrderValue {
  drug_name: string;
  medication_code: { code: string; type: 'RXCUI' };
  dosage: { quantity: number; raw_value: string; unit: string };
  duration_in_days: number;
  start_date: string;
  end_date: string;
  format: { raw_value: string };
  frequency: { raw_value: string; structured_value: string };
  instructions: string;
  linked_diagnosis_codes: Array<{ code: string; type: 'ICD10' }>;
  number_of_refills: number;
  quantity_dispensed: number;
  route: { raw_value: string };
}

/** The transcript. */
export interface Transcript {
  final_transcript: Array<{
    transcript_id: string;
    recording_id: string;
    transcript: string;
    lang_id: string;
    start_time: string;
    end_time: string;
    start_offset: Offset;
    end_offset: Offset;
  }>;
}

export const sessionContent = (sessionId: string): NoteContent => noteOf(scenarioFor(sessionId));
export const encounterContent = (encounterId: string): NoteContent => noteOf(scenarioFor(encounterId));
export const sessionStructuredData = (sessionId: string): StructuredData => ({
  structured_data: { diagnoses: diagnosesOf(scenarioFor(sessionId)) },
});

export function encounterStructuredData(encounterId: string): StructuredData {
  const scenario = scenarioFor(encounterId);
  const visit = visitStart(encounterId);
  return {
    structured_data: {
      diagnoses: diagnosesOf(scenario),
      orders: { medication_orders: { partial_values: scenario.medications.map((order) => medicationOrder(order, visit)) } },
    },
  };
}

/** The conversation, one entry per utterance, timed from a visit start the id fixes. */
export function sessionTranscript(sessionId: string): Transcript {
  const start = visitStart(sessionId);
  const recordingId = uuidFrom(digest(sessionId, 'recording'));
  let offsetMs = 5_000;
  const final_transcript = scenarioFor(sessionId).transcript.map((transcript, index) => {
    const durationMs = 2_000 + transcript.length * 60;
    const entry = {
      transcript_id: ulidFrom(start + offsetMs, digest(sessionId, `utterance ${index}`)),
      recording_id: recordingId,
      transcript,
      lang_id: 'en',
      start_time: nanoTimestamp(start + offsetMs, index),
      end_time: nanoTimestamp(start + offsetMs + durationMs, index),
      start_offset: offset(offsetMs),
      end_offset: offset(offsetMs + durationMs),
    };
    offsetMs += durationMs + 700;
    return entry;
  });
  return { final_transcript };
}

/** The status: every session the simulator has a note for is finished. */
export const sessionStatus = (): { status: string } => ({ status: 'completed' });

function scenarioFor(id: string): Scenario {
  return SCENARIOS[digest(id, 'scenario').readUInt32BE(0) % SCENARIOS.length];
}

function noteOf(scenario: Scenario): NoteContent {
  return {
    summary: scenario.sections.map(([title, loinc_code, content]) => ({
      title,
      loinc_code,
      content,
      source_transcripts: keywords(content),
    })),
    structured_data: scenario.medications.map((order) => ({
      title: 'MEDICATIONS',
      data: { medication: order.drugName, dosage: `${order.dose.quantity} ${order.dose.unit}` },
    })),
  };
}

function diagnosesOf(scenario: Scenario): { values: DiagnosisValue[] } {
  return {
    values: scenario.diagnoses.map((diagnosis) => ({
      codes: [
        { code: diagnosis.icd10, description: diagnosis.description, type: 'ICD10' as const },
        { code: diagnosis.imo, description: diagnosis.description, type: 'IMO' as const },
      ],
      diagnosis_note: diagnosis.note,
      laterality_indicator: 4,
      post_coord_lex_flag: 1,
    })),
  };
}

function medicationOrder(order: MedicationOrder, visitMs: number): MedicationOrderValue {
  const inhaled = order.dose.unit === 'puffs';
  const startDate = new Date(visitMs).toISOString().slice(0, 10);
  return {
    drug_name: order.drugName,
    medication_code: { code: order.rxcui, type: 'RXCUI' },
    dosage: { quantity: order.dose.quantity, raw_value: `${order.dose.quantity} ${order.dose.unit}`, unit: order.dose.unit },
    duration_in_days: order.durationDays,
    start_date: `${startDate}T00:00:00Z`,
    end_date: `${new Date(visitMs + order.durationDays * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`,
    format: { raw_value: inhaled ? 'inhaler' : 'tablet' },
    frequency: { raw_value: order.frequency.raw, structured_value: order.frequency.structured },
    instructions: order.instructions,
    linked_diagnosis_codes: [{ code: order.forDiagnosis, type: 'ICD10' }],
    number_of_refills: order.refills,
    quantity_dispensed: inhaled ? 1 : order.durationDays,
    route: { raw_value: inhaled ? 'inhalation' : 'oral' },
  };
}

/** The words a section was drawn from, as Suki lists them: its two longest words. */
function keywords(text: string): string[] {
  const words = [...new Set(text.toLowerCase().match(/[a-z]{4,}/g) ?? [])];
  return words.sort((a, b) => b.length - a.length || a.localeCompare(b)).slice(0, 2);
}
