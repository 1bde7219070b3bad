// How numbers, sizes and times read on every page.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function bytes(n) {
  if (n === null || n === undefined) {
    return '–';
  }
  let value = Number(n);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return (unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0)) + ' ' + UNITS[unit];
}

export function count(n) {
  return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US');
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** 2026-12-03 14:05 in the browser's time zone. */
export function time(iso) {
  if (!iso) {
    return '–';
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return iso;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function seconds(s) {
  if (s === null || s === undefined) {
    return '–';
  }
  if (s < 60) {
    return `${s} s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ${s % 60} s`;
  }
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** How long a job ran, or has been running. */
export function jobDuration(job) {
  if (job.runTime !== null && job.runTime !== undefined) {
    return seconds(job.runTime);
  }
  if (job.startTime && !job.endTime) {
    return seconds(Math.max(0, Math.round((Date.now() - new Date(job.startTime).getTime()) / 1000))) + ' so far';
  }
  return '–';
}
