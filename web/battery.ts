// The camera phone's battery, where the browser tells it (Battery Status API: Chromium browsers; not
// Safari or Firefox): streaming video drains a phone fast, and a flat camera is a lost picture.

export interface BatteryReading { level: number; charging: boolean }

interface BatteryManagerLike extends EventTarget { level: number; charging: boolean }

/** Calls `onChange` with each reading, or once with null where the browser does not tell. */
export async function watchBattery(onChange: (reading: BatteryReading | null) => void): Promise<void> {
  const nav = (globalThis as { navigator?: { getBattery?: () => Promise<BatteryManagerLike> } }).navigator;
  if (typeof nav?.getBattery !== 'function') return onChange(null);
  try {
    const battery = await nav.getBattery();
    const report = () => onChange({ level: battery.level, charging: battery.charging });
    battery.addEventListener('levelchange', report);
    battery.addEventListener('chargingchange', report);
    report();
  } catch {
    onChange(null);
  }
}

export function describeBattery(reading: BatteryReading | null): { text: string; low: boolean } {
  if (reading === null) return { text: 'unknown', low: false };
  const percent = Math.round(reading.level * 100);
  return { text: `${percent} %${reading.charging ? ' (charging)' : ''}`, low: !reading.charging && percent <= 20 };
}
