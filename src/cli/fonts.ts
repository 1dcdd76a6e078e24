/**
 * Whether this machine has a font for resvg to draw the study figures' text with. resvg draws no
 * text at all when it finds none (it loads the system's fonts; there is no fallback), and the PNG
 * then has axes, colours and legend swatches but no words: seen on a bare GPU server image. The
 * SVGs are unaffected (the viewer brings the fonts), so the CLI writes both and says so.
 */
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where fontconfig, macOS and Windows keep fonts (resvg's system font loader looks in these). */
export function fontDirs(): string[] {
  const home = homedir();
  return [
    '/usr/share/fonts',
    '/usr/local/share/fonts',
    join(home, '.fonts'),
    join(home, '.local/share/fonts'),
    '/System/Library/Fonts',
    '/Library/Fonts',
    join(home, 'Library/Fonts'),
    join(process.env.WINDIR ?? 'C:\\Windows', 'Fonts'),
  ];
}

const FONT_FILE = /\.(ttf|otf|ttc|otc)$/i;

/** True at the first font file found under `dirs` (subfolders to a depth of 4). */
export function hasFont(dirs: readonly string[] = fontDirs()): boolean {
  const look = (dir: string, depth: number): boolean => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const e of entries) if (e.isFile() && FONT_FILE.test(e.name)) return true;
    return depth > 0 && entries.some((e) => e.isDirectory() && look(join(dir, e.name), depth - 1));
  };
  return dirs.some((d) => look(d, 4));
}

/** The warning `basinlab study` prints before writing PNG figures on a machine without fonts. */
export const NO_FONT_WARNING =
  'basinlab: no font found on this machine (looked in the system font folders): the PNG figures will have no text (the SVGs are complete); install one, e.g. Debian\'s fonts-dejavu-core';
