/**
 * The visits the Suki API simulator documents. Each id picks one of them deterministically
 * (see simulated-content.ts). Invented patients, nothing real; the codes are real where they
 * are public: LOINC note-section codes, ICD-10-CM diagnoses, RxNorm ingredient RXCUIs. IMO
 * lexical codes are licensed, so those here are illustrative numbers of the right shape
 * (30422 is the one Suki's own example shows).
 */
export interface Diagnosis {
  icd10: string;
  imo: string;
  description: string;
  note: string;
}

export interface MedicationOrder {
  drugName: string;
  rxcui: string;
  dose: { quantity: number; unit: string };
  frequency: { raw: string; structured: string };
  instructions: string;
  refills: number;
  durationDays: number;
  /** The ICD-10 code of the diagnosis the order treats. */
  forDiagnosis: string;
}

export interface Scenario {
  /** Note sections in order: [title, LOINC code, text]. */
  sections: Array<[string, string, string]>;
  diagnoses: Diagnosis[];
  medications: MedicationOrder[];
  /** The conversation, one utterance per final transcript entry. */
  transcript: string[];
}

export const SCENARIOS: readonly Scenario[] = [
  {
    sections: [
      ['CHIEF COMPLAINT', '10154-3', 'Wheezing and shortness of breath for three days.'],
      [
        'HISTORY OF PRESENT ILLNESS',
        '10164-2',
        'Patient with known asthma reports increasing wheeze and night-time cough since a cold began three days ago. Using albuterol four times a day with partial relief. No fever.',
      ],
      ['PHYSICAL EXAM', '29545-1', 'Scattered expiratory wheezes bilaterally. No accessory muscle use. SpO2 96% on room air.'],
      ['ASSESSMENT', '51848-0', 'Mild asthma exacerbation triggered by a viral upper respiratory infection. Seasonal allergic rhinitis.'],
      [
        'PLAN',
        '18776-5',
        'Albuterol 2 puffs every 4 to 6 hours as needed. Five-day oral prednisone course. Return if not improving in 48 hours.',
      ],
    ],
    diagnoses: [
      {
        icd10: 'J45.901',
        imo: '1463478',
        description: 'Asthma with acute exacerbation',
        note: 'Mild exacerbation after a viral infection',
      },
      { icd10: 'J30.1', imo: '37512', description: 'Allergic rhinitis due to pollen', note: 'Seasonal, worse in spring' },
    ],
    medications: [
      {
        drugName: 'albuterol',
        rxcui: '435',
        dose: { quantity: 2, unit: 'puffs' },
        frequency: { raw: 'every 4 to 6 hours as needed', structured: 'AS_NEEDED' },
        instructions: 'Inhale 2 puffs every 4 to 6 hours as needed for wheezing',
        refills: 1,
        durationDays: 30,
        forDiagnosis: 'J45.901',
      },
    ],
    transcript: [
      'What brings you in today?',
      "I've been wheezing for about three days, since I caught a cold.",
      'How often are you using your albuterol inhaler?',
      'About four times a day, and it only helps a little.',
      'Let me listen to your lungs. I hear some wheezing on both sides, but your oxygen level is good.',
      "We'll add a short course of prednisone and keep the inhaler as needed.",
    ],
  },
  {
    sections: [
      ['CHIEF COMPLAINT', '10154-3', 'Follow-up of high blood pressure and cholesterol.'],
      [
        'HISTORY OF PRESENT ILLNESS',
        '10164-2',
        'Home blood pressure readings average 148/92 over the last month. Taking lisinopril daily without side effects. Walking 20 minutes most days.',
      ],
      ['PHYSICAL EXAM', '29545-1', 'BP 146/90, pulse 72. Heart regular, no murmurs. No peripheral edema.'],
      ['ASSESSMENT', '51848-0', 'Essential hypertension, not at goal. Hyperlipidemia, LDL 162 on last panel.'],
      [
        'PLAN',
        '18776-5',
        'Increase lisinopril to 20 mg daily. Start atorvastatin 20 mg nightly. Recheck blood pressure and lipids in six weeks.',
      ],
    ],
    diagnoses: [
      { icd10: 'I10', imo: '30422', description: 'Essential hypertension', note: 'Not at goal on current dose' },
      { icd10: 'E78.5', imo: '42367', description: 'Hyperlipidemia, unspecified', note: 'LDL 162 mg/dL' },
    ],
    medications: [
      {
        drugName: 'lisinopril',
        rxcui: '29046',
        dose: { quantity: 20, unit: 'mg' },
        frequency: { raw: 'once a day', structured: 'ONE_A_DAY' },
        instructions: 'Take 1 tablet by mouth every morning',
        refills: 3,
        durationDays: 30,
        forDiagnosis: 'I10',
      },
      {
        drugName: 'atorvastatin',
        rxcui: '83367',
        dose: { quantity: 20, unit: 'mg' },
        frequency: { raw: 'once a day at bedtime', structured: 'ONE_A_DAY' },
        instructions: 'Take 1 tablet by mouth at bedtime',
        refills: 3,
        durationDays: 30,
        forDiagnosis: 'E78.5',
      },
    ],
    transcript: [
      'How have your blood pressure readings been at home?',
      'Mostly around 148 over 92.',
      'Any dizziness or cough with the lisinopril?',
      'No, none at all.',
      "Your pressure is still above goal, so we'll increase the lisinopril to 20 milligrams.",
      "Your LDL was 162, so I'd also like to start atorvastatin at bedtime.",
    ],
  },
  {
    sections: [
      ['CHIEF COMPLAINT', '10154-3', 'Diabetes check-up.'],
      [
        'HISTORY OF PRESENT ILLNESS',
        '10164-2',
        'Type 2 diabetes diagnosed two years ago. Fasting glucose 130 to 150 at home. A1c 7.6% last week. Occasional loose stools on metformin.',
      ],
      ['PHYSICAL EXAM', '29545-1', 'Weight 92 kg. Monofilament sensation intact in both feet. No foot ulcers.'],
      ['ASSESSMENT', '51848-0', 'Type 2 diabetes mellitus without complications, A1c above target. Essential hypertension, controlled.'],
      ['PLAN', '18776-5', 'Switch to extended-release metformin 1000 mg twice daily with meals. Dietitian referral. A1c in three months.'],
    ],
    diagnoses: [
      { icd10: 'E11.9', imo: '33040', description: 'Type 2 diabetes mellitus without complications', note: 'A1c 7.6%' },
      { icd10: 'I10', imo: '30422', description: 'Essential hypertension', note: 'Controlled' },
    ],
    medications: [
      {
        drugName: 'metformin',
        rxcui: '6809',
        dose: { quantity: 1000, unit: 'mg' },
        frequency: { raw: 'twice a day with meals', structured: 'TWO_A_DAY' },
        instructions: 'Take 1 extended-release tablet by mouth twice daily with meals',
        refills: 2,
        durationDays: 30,
        forDiagnosis: 'E11.9',
      },
    ],
    transcript: [
      'Your A1c came back at 7.6 percent.',
      "I've been trying, but my morning sugars are still around 140.",
      'Are you having any stomach trouble with the metformin?',
      'Some loose stools now and then.',
      "Let's switch you to the extended-release form; it's usually easier on the stomach.",
    ],
  },
  {
    sections: [
      ['CHIEF COMPLAINT', '10154-3', 'Lower back pain for one week.'],
      [
        'HISTORY OF PRESENT ILLNESS',
        '10164-2',
        'Pain began after lifting boxes while moving house. Dull ache across the lower back, worse when bending. No leg numbness, weakness, or bladder changes.',
      ],
      [
        'PHYSICAL EXAM',
        '29545-1',
        'Paraspinal tenderness at L4 to L5. Straight leg raise negative on both sides. Strength and reflexes normal.',
      ],
      ['ASSESSMENT', '51848-0', 'Acute mechanical low back pain without red flags.'],
      [
        'PLAN',
        '18776-5',
        'Ibuprofen 400 mg three times daily with food for up to ten days. Heat, gentle activity. Physical therapy if not better in four weeks.',
      ],
    ],
    diagnoses: [{ icd10: 'M54.50', imo: '1712548', description: 'Low back pain, unspecified', note: 'Mechanical, after lifting' }],
    medications: [
      {
        drugName: 'ibuprofen',
        rxcui: '5640',
        dose: { quantity: 400, unit: 'mg' },
        frequency: { raw: 'three times a day with food', structured: 'THREE_A_DAY' },
        instructions: 'Take 1 tablet by mouth three times daily with food for up to 10 days',
        refills: 0,
        durationDays: 10,
        forDiagnosis: 'M54.50',
      },
    ],
    transcript: [
      'When did the back pain start?',
      'Last week, after I moved a lot of boxes.',
      'Any numbness or weakness in your legs?',
      'No, it just aches when I bend over.',
      'Your exam looks reassuring. Ibuprofen with food, heat, and stay gently active.',
    ],
  },
];
