// Reads .ics files named on the command line and prints, as JSON, what ical.js
// (Mozilla's parser, used by Thunderbird) understands of each: the calendar's
// METHOD and every event's UID, SEQUENCE, STATUS and start/end as UTC instants.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const results = process.argv.slice(2).map((path) => {
  const root = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
  }
  const events = root.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue("status"),
      summary: event.summary,
      location: event.location,
      tzid: vevent.getFirstProperty("dtstart").getParameter("tzid") ?? null,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
    };
  });
  return {
    path,
    method: root.getFirstPropertyValue("method"),
    name: root.getFirstPropertyValue("x-wr-calname"),
    events,
  };
});
process.stdout.write(JSON.stringify(results));
