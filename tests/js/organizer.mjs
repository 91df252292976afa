// Reads .ics files named on the command line and prints, as JSON, how ical.js
// (Mozilla's parser, used by Thunderbird) reads each event's ORGANIZER and ATTENDEE:
// the address and the SENT-BY, CN and RSVP parameters a client acts on.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const results = process.argv.slice(2).map((path) => {
  const root = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  return root.getAllSubcomponents("vevent").map((vevent) => {
    const organizer = vevent.getFirstProperty("organizer");
    const attendee = vevent.getFirstProperty("attendee");
    return {
      uid: vevent.getFirstPropertyValue("uid"),
      organizer: organizer ? organizer.getFirstValue() : null,
      organizer_cn: organizer ? organizer.getParameter("cn") ?? null : null,
      sent_by: organizer ? organizer.getParameter("sent-by") ?? null : null,
      attendee: attendee ? attendee.getFirstValue() : null,
      rsvp: attendee ? attendee.getParameter("rsvp") ?? null : null,
    };
  });
});
process.stdout.write(JSON.stringify(results));
