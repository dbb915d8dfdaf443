/** The report section for the car's command path (bench/command-path.ts, once src/control exists). */
export async function commandPathSection(quick: boolean, pin: readonly string[]): Promise<{ title: string; body: string }> {
  void quick;
  void pin;
  return { title: 'Command path latency', body: 'Not measured yet: src/control (startControlServer) does not exist.' };
}
