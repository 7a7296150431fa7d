// Owns dictation: the browser's Web Speech API (SpeechRecognition, prefixed in Chrome/Safari) behind a small
// interface, and turning its result lists into final and interim text.

export interface SpeechAlternativeLike {
  transcript: string;
}

export interface SpeechResultLike {
  readonly isFinal: boolean;
  readonly length: number;
  [index: number]: SpeechAlternativeLike | undefined;
}

export interface SpeechResultEventLike {
  resultIndex: number;
  results: { readonly length: number; [index: number]: SpeechResultLike | undefined };
}

export interface SpeechRecognitionLike {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  onresult: ((event: SpeechResultEventLike) => void) | null;
  onerror: ((event: { error: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
}

export type SpeechRecognitionClass = new () => SpeechRecognitionLike;

/** The page's SpeechRecognition class, or undefined where the browser has none (Firefox, some WebViews). */
export function speechRecognitionClass(
  scope: object = globalThis,
): SpeechRecognitionClass | undefined {
  const record = scope as Record<string, unknown>;
  const found = record['SpeechRecognition'] ?? record['webkitSpeechRecognition'];
  return typeof found === 'function' ? (found as SpeechRecognitionClass) : undefined;
}

/** The text of a result event: what is settled, and what is still being heard. */
export function transcriptOf(event: SpeechResultEventLike): { final: string; interim: string } {
  let final = '';
  let interim = '';
  for (let i = event.resultIndex; i < event.results.length; i++) {
    const result = event.results[i];
    const text = result?.[0]?.transcript ?? '';
    if (result?.isFinal) final += text;
    else interim += text;
  }
  return { final, interim };
}

/** Appends dictated text to what the box holds, with one space between them. */
export function appendDictation(current: string, spoken: string): string {
  const words = spoken.trim();
  if (!words) return current;
  if (!current || /\s$/.test(current)) return current + words;
  return `${current} ${words}`;
}

/** What a recognition error means to the user, and what to do. */
export function speechErrorMessage(error: string): string {
  switch (error) {
    case 'not-allowed':
    case 'service-not-allowed':
      return 'The microphone is blocked: allow it for this site in the browser settings.';
    case 'no-speech':
      return 'Nothing was heard; tap the microphone and speak again.';
    case 'audio-capture':
      return 'No microphone was found.';
    case 'network':
      return 'Speech recognition needs a network connection.';
    case 'aborted':
      return '';
    default:
      return `Speech recognition stopped (${error}).`;
  }
}
