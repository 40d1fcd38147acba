/**
 * Which restored files can be viewed in place, by their name's extension: video, audio and
 * raster images with the MIME type the player needs. Never SVG or HTML: those would run script
 * on the app's origin if opened directly, and a file from the grid is anyone's.
 * @module
 */

export type MediaKind = 'video' | 'audio' | 'image';

const TYPES: Readonly<Record<string, readonly [MediaKind, string]>> = {
  mp4: ['video', 'video/mp4'],
  m4v: ['video', 'video/mp4'],
  mov: ['video', 'video/quicktime'],
  webm: ['video', 'video/webm'],
  ogv: ['video', 'video/ogg'],
  mkv: ['video', 'video/x-matroska'],
  mp3: ['audio', 'audio/mpeg'],
  m4a: ['audio', 'audio/mp4'],
  aac: ['audio', 'audio/aac'],
  oga: ['audio', 'audio/ogg'],
  ogg: ['audio', 'audio/ogg'],
  opus: ['audio', 'audio/ogg'],
  wav: ['audio', 'audio/wav'],
  flac: ['audio', 'audio/flac'],
  weba: ['audio', 'audio/webm'],
  jpg: ['image', 'image/jpeg'],
  jpeg: ['image', 'image/jpeg'],
  png: ['image', 'image/png'],
  gif: ['image', 'image/gif'],
  webp: ['image', 'image/webp'],
  avif: ['image', 'image/avif'],
  bmp: ['image', 'image/bmp'],
};

/** The kind and MIME type of a file named `name`, or undefined when it is not viewed in place. */
export function mediaTypeOf(name: string): { kind: MediaKind; mime: string } | undefined {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return undefined;
  const found = TYPES[name.slice(dot + 1).toLowerCase()];
  return found === undefined ? undefined : { kind: found[0], mime: found[1] };
}
