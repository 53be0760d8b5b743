/**
 * `start` and `stop` as Concourse's time resource reads them: Go's `time.Parse` with these
 * layouts, tried in order. The layouts are Go's reference time (3:04 PM, 15:04, -0700).
 */
export const TIME_OF_DAY_LAYOUTS = [
  '3:04 PM -0700',
  '3PM -0700',
  '3 PM -0700',
  '15:04 -0700',
  '1504 -0700',
  '3:04 PM',
  '3PM',
  '3 PM',
  '15:04',
  '1504',
] as const;

const MINUTES_PER_DAY = 24 * 60;

interface Reading {
  hour: number;
  minute: number;
  meridiem?: 'AM' | 'PM';
  offsetMinutes: number;
}

/**
 * Minutes after midnight, or undefined when no layout matches. Like Concourse, an appended
 * offset converts the time to UTC (`3:00 -0700` is 10:00), which `location` then interprets.
 */
export function parseTimeOfDay(text: string): number | undefined {
  for (const layout of LAYOUTS) {
    const reading = matchLayout(layout, text);
    if (!reading) continue;
    let hour = reading.hour;
    if (reading.meridiem === 'PM' && hour < 12) hour += 12;
    else if (reading.meridiem === 'AM' && hour === 12) hour = 0;
    const minutes = hour * 60 + reading.minute - reading.offsetMinutes;
    return ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  }
  return undefined;
}

const ELEMENTS = ['15', '04', '3', 'PM', '-0700', ':', ' '] as const;
type Element = (typeof ELEMENTS)[number];

const LAYOUTS: ReadonlyArray<readonly Element[]> = TIME_OF_DAY_LAYOUTS.map(elementsOf);

function elementsOf(layout: string): Element[] {
  const elements: Element[] = [];
  for (let rest = layout; rest !== ''; ) {
    const element = ELEMENTS.find((candidate) => rest.startsWith(candidate));
    if (!element) throw new Error(`unknown layout element in ${layout}`);
    elements.push(element);
    rest = rest.slice(element.length);
  }
  return elements;
}

/** Go's parsing rules for the few layout elements used above, so edge cases agree with Concourse. */
function matchLayout(layout: readonly Element[], text: string): Reading | undefined {
  const reading: Reading = { hour: 0, minute: 0, offsetMinutes: 0 };
  let rest = text;
  for (const element of layout) {
    switch (element) {
      case '3':
      case '15': {
        // Go reads one digit, or two when a second follows.
        const digits = /^\d\d?/.exec(rest)?.[0];
        if (digits === undefined) return undefined;
        reading.hour = Number(digits);
        if (reading.hour > (element === '3' ? 12 : 23)) return undefined;
        rest = rest.slice(digits.length);
        break;
      }
      case '04': {
        const digits = /^\d\d/.exec(rest)?.[0];
        if (digits === undefined || Number(digits) > 59) return undefined;
        reading.minute = Number(digits);
        rest = rest.slice(2);
        break;
      }
      case 'PM': {
        const meridiem = rest.slice(0, 2);
        if (meridiem !== 'AM' && meridiem !== 'PM') return undefined;
        reading.meridiem = meridiem;
        rest = rest.slice(2);
        break;
      }
      case '-0700': {
        const offset = /^([+-])(\d\d)(\d\d)/.exec(rest);
        if (!offset || Number(offset[2]) > 24 || Number(offset[3]) > 60) return undefined;
        reading.offsetMinutes = (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]));
        rest = rest.slice(5);
        break;
      }
      case ':':
        if (!rest.startsWith(':')) return undefined;
        rest = rest.slice(1);
        break;
      case ' ':
        // A space in a Go layout matches a run of spaces.
        if (rest !== '' && !rest.startsWith(' ')) return undefined;
        rest = rest.replace(/^ +/, '');
        break;
      default: {
        const unreachable: never = element;
        return unreachable;
      }
    }
  }
  return rest === '' ? reading : undefined;
}
