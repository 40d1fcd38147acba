/**
 * The few web-platform globals the core may use because browsers, workers and Node all have them:
 * text encoding, AbortSignal/AbortController, DOMException and queueMicrotask. Declared here by
 * hand so that the core's own tsconfig (lib ES2022, no DOM) still rejects `window`, `document`,
 * `indexedDB`, `RTCPeerConnection`, `self` and timers. Only src/core/tsconfig.json reads this file.
 */

interface TextEncoder {
  encode(input?: string): Uint8Array;
}
declare var TextEncoder: { prototype: TextEncoder; new (): TextEncoder };

interface TextDecoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
declare var TextDecoder: {
  prototype: TextDecoder;
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder;
};

interface Event {
  readonly type: string;
}

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: any;
  onabort: ((this: AbortSignal, ev: Event) => any) | null;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: (this: AbortSignal, ev: Event) => any, options?: { once?: boolean; signal?: AbortSignal } | boolean): void;
  removeEventListener(type: 'abort', listener: (this: AbortSignal, ev: Event) => any, options?: boolean | { capture?: boolean }): void;
}
declare var AbortSignal: {
  prototype: AbortSignal;
  new (): AbortSignal;
  abort(reason?: any): AbortSignal;
  any(signals: AbortSignal[]): AbortSignal;
  timeout(milliseconds: number): AbortSignal;
};

interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: any): void;
}
declare var AbortController: { prototype: AbortController; new (): AbortController };

interface DOMException extends Error {
  readonly code: number;
}
declare var DOMException: {
  prototype: DOMException;
  new (message?: string, name?: string): DOMException;
};

declare function queueMicrotask(callback: () => void): void;
