import { describe, expect, it } from 'vitest';
import {
  appendDictation,
  speechErrorMessage,
  speechRecognitionClass,
  transcriptOf,
  type SpeechResultEventLike,
  type SpeechResultLike,
} from './speech.js';

function result(text: string, isFinal: boolean): SpeechResultLike {
  return { isFinal, length: 1, 0: { transcript: text } };
}

describe('dictation', () => {
  it('finds the standard or the webkit-prefixed class, or none', () => {
    class Fake {}
    expect(speechRecognitionClass({ SpeechRecognition: Fake })).toBe(Fake);
    expect(speechRecognitionClass({ webkitSpeechRecognition: Fake })).toBe(Fake);
    expect(speechRecognitionClass({})).toBeUndefined();
    expect(speechRecognitionClass({ SpeechRecognition: 'nope' })).toBeUndefined();
  });

  it('splits a result event into settled and interim text from resultIndex on', () => {
    const event: SpeechResultEventLike = {
      resultIndex: 1,
      results: {
        length: 3,
        0: result('old ', true),
        1: result('git ', true),
        2: result('stat', false),
      },
    };
    expect(transcriptOf(event)).toEqual({ final: 'git ', interim: 'stat' });
  });

  it('appends with one space', () => {
    expect(appendDictation('', ' git status ')).toBe('git status');
    expect(appendDictation('git', 'status')).toBe('git status');
    expect(appendDictation('git ', 'status')).toBe('git status');
    expect(appendDictation('git', '   ')).toBe('git');
  });

  it('explains errors, and stays quiet on an abort', () => {
    expect(speechErrorMessage('not-allowed')).toMatch(/allow it/);
    expect(speechErrorMessage('aborted')).toBe('');
    expect(speechErrorMessage('weird')).toMatch(/weird/);
  });
});
