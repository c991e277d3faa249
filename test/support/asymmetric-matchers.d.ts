/**
 * @types/jest types the asymmetric matchers (expect.any(String), expect.stringMatching(…), …)
 * as `any` so they fit anywhere; the type-checked lint rules then flag every expected object
 * that uses one. These overloads, merged ahead of @types/jest's, say what they return: a matcher
 * object standing in for a value, typed `unknown` (which fits anywhere an expected value goes).
 */
export {};

declare global {
  namespace jest {
    interface Expect {
      anything(): unknown;
      any(classType: unknown): unknown;
      arrayContaining(array: readonly unknown[]): unknown;
      objectContaining(object: object): unknown;
      stringContaining(text: string): unknown;
      stringMatching(pattern: string | RegExp): unknown;
    }
    interface InverseAsymmetricMatchers {
      stringContaining(text: string): unknown;
      stringMatching(pattern: string | RegExp): unknown;
    }
  }
}
