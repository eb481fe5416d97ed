/** Seconds as Slurm's `--time` value, `[D-]HH:MM:SS`; Slurm itself rounds up to whole minutes. */
export function formatSlurmTime(seconds: number): string {
  const total = Math.max(1, Math.ceil(seconds));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  const hms = [hours, minutes, secs].map((n) => String(n).padStart(2, '0')).join(':');
  return days > 0 ? `${days}-${hms}` : hms;
}
