// A log destination that keeps every line (parsed) for assertions.
export interface CapturedLines {
  readonly destination: { write(line: string): void };
  readonly lines: Record<string, unknown>[];
  readonly raw: string[];
}

export function captureLines(): CapturedLines {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  return {
    lines,
    raw,
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  };
}
