// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl show --svg: the export document drawn as SVG (svg.h says
 * what, docs/pictures.md why). One pass: the height is computed from the
 * counts first, then every element is written in document order.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "svg.h"

#define W		960	/* picture width */
#define LX		16	/* left edge of the labels */
#define PX0		230	/* the time axes: from */
#define PX1		860	/* to */
#define HEAD_H		74
#define SEC_H		44	/* a section's title and axis */
#define ATT_H		36	/* one attempt */
#define LANE_H		44	/* one member */
#define ROW_H		18	/* one channel */
#define LEGEND_LINE	15
#define MAX_LANES	64	/* members drawn; the rest are counted */
#define MAX_ROWS	200	/* channels listed; the rest are counted */
#define NAME_LEN	18	/* characters of a name before it is cut */

#define C_OK		"#2e7d32"
#define C_BAD		"#c62828"
#define C_WARN		"#ef6c00"
#define C_FLIGHT	"#1565c0"
#define C_MUTED		"#616161"
#define C_GRID		"#e0e0e0"

static const char *const legend[] = {
	"Clocks. Attempts: the coordinator's CLOCK_MONOTONIC, each row from its own t0 "
	"(rows are comparable).",
	"A gateway's switch instant is on the gateway's own clock: not placed; OGM "
	"only knows it lies in [t0, its ack].",
	"Members: each lane on the member's own CLOCK_MONOTONIC, from its own cut. "
	"Cuts of different hosts",
	"are not comparable (no clock is shared across machines), so lanes are not "
	"aligned with each other or with t0.",
	"Bars: green accepted (t1 - t0 < tau_min), red rejected; dashed: no t1 "
	"(an acknowledgement missing). Grey band: settle interval.",
	"Channels: sent before the sender's cut = received before the receiver's "
	"cut + in flight + late when balanced.",
};

static const size_t n_legend = sizeof(legend) / sizeof(legend[0]);

/* ---- values of the document (input: any field may be absent or wrong) */

static bool get_i64(const json_t *o, const char *key, int64_t *v)
{
	const json_t *j = json_object_get(o, key);

	if (!json_is_integer(j))
		return false;
	*v = json_integer_value(j);
	return true;
}

static int64_t i64_or(const json_t *o, const char *key, int64_t def)
{
	int64_t v;

	return get_i64(o, key, &v) ? v : def;
}

static const char *str_or(const json_t *o, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : def;
}

/* ---- XML output */

/*
 * s as XML character data or attribute value: the five specials escaped,
 * characters XML 1.0 cannot hold (controls, U+FFFE, U+FFFF) as '?'; at most
 * max characters (0: all), a cut one ending in an ellipsis
 */
static void put_esc(FILE *f, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (; *p; p++) {
		if ((*p & 0xc0) != 0x80 && max && n++ == max) {
			fputs("\u2026", f);
			return;
		}
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if ((*p < 0x20 && *p != '\t' && *p != '\n' &&
			     *p != '\r') || *p == 0x7f) {
				fputc('?', f);
			} else if (p[0] == 0xef && p[1] == 0xbf &&
				   (p[2] == 0xbe || p[2] == 0xbf)) {
				fputc('?', f);
				p += 2;
			} else {
				fputc(*p, f);
			}
		}
	}
}

static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += (*s & 0xc0) != 0x80;
	return n;
}

/* a text element; a string longer than max is cut, and whole in a title */
static void put_text(FILE *f, double x, double y, const char *attrs,
		     const char *s, size_t max)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\"%s%s>", x, y, attrs ? " " : "",
		attrs ? attrs : "");
	if (max && utf8_len(s) > max) {
		fputs("<title>", f);
		put_esc(f, s, 0);
		fputs("</title>", f);
	}
	put_esc(f, s, max);
	fputs("</text>\n", f);
}

/* a duration: "850 ns", "12.5 us", "3.20 ms", "1.500 s" */
static void fmt_dur(char *buf, size_t len, int64_t ns)
{
	if (ns < 0)
		snprintf(buf, len, "-");
	else if (ns < 1000)
		snprintf(buf, len, "%" PRId64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1f \u00b5s", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2f ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
}

/* a count as text: an integer, a decimal string as it is, else "-" */
static void fmt_count(char *buf, size_t len, const json_t *o, const char *key)
{
	const json_t *j = json_object_get(o, key);

	if (json_is_integer(j))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(j));
	else if (json_is_string(j))
		snprintf(buf, len, "%.24s", json_string_value(j));
	else
		snprintf(buf, len, "-");
}

static double xpos(int64_t v, int64_t scale)
{
	double x;

	if (scale <= 0)
		return PX0;
	x = PX0 + (double)(PX1 - PX0) * (double)v / (double)scale;
	return x < PX0 ? PX0 : x > PX1 ? PX1 : x;
}

/* an axis from 0 to scale at y, with grid lines down to y + h */
static void put_axis(FILE *f, double y, double h, int64_t scale,
		     const char *from)
{
	char b[32];

	fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		"stroke=\"#000\"/>\n", PX0, y, PX1, y);
	for (int i = 0; i <= 4; i++) {
		double x = PX0 + (PX1 - PX0) * i / 4.0;

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" stroke=\"%s\"/>\n", x, y, x, y + h,
			C_GRID);
		if (i)
			fmt_dur(b, sizeof(b), scale / 4 * i);
		else
			snprintf(b, sizeof(b), "%s", from);
		put_text(f, x, y - 4, "font-size=\"10\" text-anchor=\"middle\"",
			 b, 0);
	}
}

/* ---- sections */

static const char *verdict_colour(const char *v)
{
	if (!strcmp(v, "accepted") || !strcmp(v, "complete"))
		return C_OK;
	if (!strcmp(v, "pending") || !strcmp(v, "collecting") ||
	    !strcmp(v, "settling") || !strcmp(v, "cut"))
		return C_WARN;
	return C_BAD;
}

static void put_header(FILE *f, const json_t *doc)
{
	char line[256], b1[32], b2[32], id[32];
	const char *state = str_or(doc, "state", "?");
	const json_t *rep = json_object_get(doc, "report");

	fmt_count(id, sizeof(id), doc, "id");
	fprintf(f, "<text x=\"%d\" y=\"26\" font-size=\"18\" "
		"font-weight=\"bold\">Snapshot ", LX);
	put_esc(f, id, 24);
	fprintf(f, " <tspan fill=\"%s\">", verdict_colour(state));
	put_esc(f, state, 24);
	fputs("</tspan></text>\n", f);

	fmt_dur(b1, sizeof(b1), i64_or(doc, "bound_ns", -1));
	fmt_dur(b2, sizeof(b2), i64_or(doc, "tau_min_ns", -1));
	snprintf(line, sizeof(line), "epoch %" PRId64 " \u00b7 bound %s "
		 "\u00b7 \u03c4_min %s \u00b7 %zu attempt(s)%s",
		 i64_or(doc, "epoch", 0), b1, b2,
		 json_array_size(json_object_get(doc, "attempts")),
		 !json_is_object(rep) ? " \u00b7 no report" :
		 json_is_true(json_object_get(rep, "balanced")) ?
		 " \u00b7 every channel balanced" : " \u00b7 not balanced");
	put_text(f, LX, 46, "font-size=\"12\"", line, 0);
	if (json_is_string(json_object_get(doc, "reason")))
		put_text(f, LX, 60, "font-size=\"11\" fill=\"" C_BAD "\"",
			 str_or(doc, "reason", ""), 120);
}

/* the scale of the attempts' axis: their windows, acks and tau_min */
static int64_t attempts_scale(const json_t *atts, int64_t tau)
{
	const json_t *a, *k;
	int64_t m = tau > 0 ? tau : 0, t0, v;
	size_t i, j;

	json_array_foreach(atts, i, a) {
		if (!get_i64(a, "t0_ns", &t0))
			continue;
		if (get_i64(a, "t1_ns", &v) && v >= t0 && v - t0 > m)
			m = v - t0;
		json_array_foreach(json_object_get(a, "acks"), j, k)
			if (get_i64(k, "at_ns", &v) && v >= t0 && v - t0 > m)
				m = v - t0;
	}
	return m ? m + m / 8 : 1000;
}

static void put_ack(FILE *f, const json_t *k, int64_t t0, double y,
		    int64_t scale)
{
	int64_t at, sw;
	char b[32];
	double x;

	if (!get_i64(k, "at_ns", &at) || at < t0)
		return;
	x = xpos(at - t0, scale);
	fmt_dur(b, sizeof(b), at - t0);
	/* the switch happened somewhere in [t0, at] (coordinator's clock) */
	fprintf(f, "<g><title>gateway ");
	put_esc(f, str_or(k, "node", "?"), 0);
	fprintf(f, ": epoch %" PRId64 " to %" PRId64 "%s, err %" PRId64
		", ack at t0 + %s (coordinator's clock)",
		i64_or(k, "prev", 0), i64_or(k, "epoch", 0),
		json_is_true(json_object_get(k, "advanced")) ? ", advanced" :
		", not advanced", i64_or(k, "err", 0), b);
	if (get_i64(k, "switch_ns", &sw))
		fprintf(f, "; switched at %" PRId64 " ns on its own clock", sw);
	fprintf(f, "</title>\n<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" "
		"y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\" "
		"stroke-opacity=\"0.35\"/>\n", PX0, y + 15, x, y + 15,
		C_FLIGHT);
	fprintf(f, "<path d=\"M%.1f %.1f l-4 -7 h8 z\" fill=\"%s\"/>\n",
		x, y + 1, C_FLIGHT);
	put_text(f, x, y + 27, "font-size=\"9\" text-anchor=\"middle\" fill=\""
		 C_FLIGHT "\"", str_or(k, "node", "?"), 8);
	fputs("</g>\n", f);
}

static double put_attempts(FILE *f, const json_t *doc, double y)
{
	const json_t *atts = json_object_get(doc, "attempts"), *a, *k;
	int64_t tau = i64_or(doc, "tau_min_ns", 0);
	int64_t scale = attempts_scale(atts, tau);
	size_t n = json_array_size(atts), i, j;
	double top;

	put_text(f, LX, y + 14, "font-size=\"13\" font-weight=\"bold\"",
		 "Gateways' switch window, per attempt (coordinator's clock, "
		 "from each attempt's t0)", 0);
	top = y + SEC_H - 6;
	put_axis(f, top, (double)n * ATT_H, scale, "t0");
	if (tau > 0) {
		double x = xpos(tau, scale);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"5 3\"/>\n",
			x, top - 14, x, top + (double)n * ATT_H, C_BAD);
		put_text(f, x + 3, top - 16, "font-size=\"10\" fill=\"" C_BAD
			 "\"", "\u03c4_min", 0);
	}
	if (!n)
		put_text(f, PX0, top + 20, "font-size=\"11\" fill=\"" C_MUTED
			 "\"", "no attempt recorded", 0);
	json_array_foreach(atts, i, a) {
		const char *v = str_or(a, "verdict", "?");
		double ry = top + (double)i * ATT_H + 8;
		int64_t t0 = 0, t1 = 0;
		char lab[96], b[32];
		bool has_t1;

		snprintf(lab, sizeof(lab), "#%" PRId64 " epoch %" PRId64 " ",
			 i64_or(a, "n", (int64_t)i + 1), i64_or(a, "epoch", 0));
		fprintf(f, "<g><title>attempt %s", lab);
		put_esc(f, v, 0);
		if (json_is_string(json_object_get(a, "reason"))) {
			fputs(": ", f);
			put_esc(f, str_or(a, "reason", ""), 0);
		}
		fputs("</title>\n", f);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"12\">", LX,
			ry + 10);
		put_esc(f, lab, 0);
		fprintf(f, "<tspan fill=\"%s\" font-weight=\"bold\">",
			verdict_colour(v));
		put_esc(f, v, 16);
		fputs("</tspan></text>\n", f);
		if (json_is_string(json_object_get(a, "reason")))
			put_text(f, LX, ry + 24, "font-size=\"9\" fill=\""
				 C_MUTED "\"", str_or(a, "reason", ""), 38);
		has_t1 = get_i64(a, "t0_ns", &t0) && get_i64(a, "t1_ns", &t1) &&
			 t1 > 0 && t1 >= t0;
		if (has_t1) {
			fmt_dur(b, sizeof(b), t1 - t0);
			fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"10\" fill=\"%s\" fill-opacity=\"0.8\"/>\n",
				PX0, ry + 2, xpos(t1 - t0, scale) - PX0 + 1,
				verdict_colour(v));
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				"y2=\"%.1f\" stroke=\"#000\"/>\n",
				xpos(t1 - t0, scale), ry - 2,
				xpos(t1 - t0, scale), ry + 16);
			put_text(f, xpos(t1 - t0, scale) + 4, ry + 11,
				 "font-size=\"10\"", b, 0);
		} else {
			fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
				"y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\" "
				"stroke-dasharray=\"6 4\"/>\n", PX0, ry + 7, PX1,
				ry + 7, C_BAD);
			put_text(f, PX1 + 4, ry + 11, "font-size=\"10\"",
				 "no t1", 0);
		}
		json_array_foreach(json_object_get(a, "acks"), j, k)
			put_ack(f, k, t0, ry, scale);
		fputs("</g>\n", f);
	}
	return top + (double)n * ATT_H + (n ? 8 : 30);
}

/* the record of member `node` in the export, or NULL */
static const json_t *record_of(const json_t *doc, const char *node)
{
	const json_t *m;
	size_t i;

	json_array_foreach(json_object_get(doc, "members"), i, m)
		if (!strcmp(str_or(m, "node", ""), node))
			return json_object_get(m, "record");
	return NULL;
}

/* the lanes: the report's members (missing ones included), else the records */
static const json_t *lanes_of(const json_t *doc)
{
	const json_t *rep = json_object_get(doc, "report");

	if (json_is_array(json_object_get(rep, "members")))
		return json_object_get(rep, "members");
	return json_object_get(doc, "members");
}

static int64_t lanes_scale(const json_t *doc)
{
	const json_t *m, *cut;
	int64_t s = 0, ns, c, settle;
	size_t i;

	json_array_foreach(lanes_of(doc), i, m) {
		cut = json_object_get(record_of(doc, str_or(m, "node", "")),
				      "cut");
		settle = i64_or(cut, "settle_ms", 0);
		if (settle > 0 && settle < INT64_MAX / 1000000 &&
		    settle * 1000000 > s)
			s = settle * 1000000;
		if (get_i64(cut, "ns", &ns) && get_i64(cut, "complete_ns", &c) &&
		    c >= ns && c - ns > s)
			s = c - ns;
	}
	return s ? s + s / 8 : 1000000;
}

/* a flag as a badge after x; returns the next x */
static double put_badge(FILE *f, double x, double y, const char *s,
			const char *colour)
{
	double w = 6.0 * (double)utf8_len(s) + 8;

	if (w > 140)
		w = 140;
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"13\" "
		"rx=\"3\" fill=\"%s\"/>\n", x, y - 10, w, colour);
	put_text(f, x + 4, y, "font-size=\"9.5\" fill=\"#fff\"", s, 20);
	return x + w + 4;
}

static void put_lane(FILE *f, const json_t *doc, const json_t *m, double y,
		     int64_t scale)
{
	const char *node = str_or(m, "node", "?");
	const json_t *cut = json_object_get(record_of(doc, node), "cut"), *fl;
	int64_t ns, c, settle, bypass;
	char line[160], b[32], b2[32];
	const char *state;
	double x;
	size_t i;

	put_text(f, LX, y + 14, "font-size=\"12\" font-weight=\"bold\"", node,
		 NAME_LEN);
	fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		"stroke=\"%s\" stroke-width=\"2\"/>\n", PX0, y + 10, PX1,
		y + 10, C_GRID);
	if (!json_is_object(cut) || !get_i64(cut, "ns", &ns)) {
		put_text(f, PX0 + 6, y + 14, "font-size=\"11\" fill=\"" C_BAD
			 "\"", json_is_false(json_object_get(m, "present")) ?
			 "missing: no record collected" : "no cut in its record",
			 0);
		return;
	}
	settle = i64_or(cut, "settle_ms", 0);
	if (settle > 0 && settle < INT64_MAX / 1000000)
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"8\" fill=\"#bdbdbd\"><title>settle interval "
			"%" PRId64 " ms</title></rect>\n", PX0, y + 6,
			xpos(settle * 1000000, scale) - PX0, settle);
	state = json_is_string(json_object_get(cut, "state")) ?
		str_or(cut, "state", "?") : "unknown";
	fmt_dur(b, sizeof(b), -1);
	if (get_i64(cut, "complete_ns", &c) && c >= ns && c > 0) {
		fmt_dur(b, sizeof(b), c - ns);
		x = xpos(c - ns, scale);
		fprintf(f, "<path d=\"M%.1f %.1f l5 5 l-5 5 l-5 -5 z\" "
			"fill=\"%s\"><title>complete at cut + %s</title></path>\n",
			x, y + 5, C_OK, b);
	}
	/* the cut: the origin of this lane's own clock */
	fprintf(f, "<g><title>cut at %" PRId64 " ns (this member's "
		"CLOCK_MONOTONIC)</title><rect x=\"%d\" y=\"%.1f\" width=\"4\" "
		"height=\"20\" fill=\"#000\"/></g>\n", ns, PX0 - 2, y);
	snprintf(line, sizeof(line), "epochs %" PRId64 "..%" PRId64
		 " \u00b7 state %.20s \u00b7 complete at cut + %s",
		 i64_or(cut, "first", 0), i64_or(cut, "last", 0), state, b);
	put_text(f, PX0 + 6, y + 32, "font-size=\"10\"", line, 0);

	x = PX0 + 12 + 5.4 * (double)utf8_len(line);
	json_array_foreach(json_object_get(cut, "flags"), i, fl) {
		const char *s = json_string_value(fl);

		if (!s)
			continue;
		x = put_badge(f, x, y + 32, s, !strcmp(s, "by_command") ?
			      C_MUTED : !strcmp(s, "incomplete") ||
			      !strcmp(s, "tx_unstamped") ? C_BAD : C_WARN);
	}
	bypass = i64_or(m, "bypass", 0);
	if (bypass > 0) {
		snprintf(b2, sizeof(b2), "bypass %" PRId64, bypass);
		put_badge(f, x, y + 32, b2, C_BAD);
	}
}

static double put_lanes(FILE *f, const json_t *doc, double y)
{
	const json_t *lanes = lanes_of(doc), *m;
	int64_t scale = lanes_scale(doc);
	size_t n = json_array_size(lanes), i;
	char more[64];
	double top;

	put_text(f, LX, y + 14, "font-size=\"13\" font-weight=\"bold\"",
		 "Members (each on its own clock, from its own cut: lanes are "
		 "not aligned in time)", 0);
	top = y + SEC_H - 6;
	put_axis(f, top, (double)(n < MAX_LANES ? n : MAX_LANES) * LANE_H,
		 scale, "cut");
	json_array_foreach(lanes, i, m) {
		if (i == MAX_LANES)
			break;
		put_lane(f, doc, m, top + 6 + (double)i * LANE_H, scale);
	}
	if (n > MAX_LANES) {
		snprintf(more, sizeof(more), "and %zu more members (beaverctl "
			 "show ID)", n - MAX_LANES);
		put_text(f, LX, top + MAX_LANES * LANE_H + 14,
			 "font-size=\"11\"", more, 0);
	}
	return top + (double)(n < MAX_LANES ? n : MAX_LANES + 1) * LANE_H +
	       (n ? 8 : 30);
}

static const char *const chan_cols[] = {
	"from", "to", "family", "sent", "received", "in flight", "late",
	"balanced",
};
static const int chan_x[] = { 0, 150, 300, 370, 460, 550, 640, 720 };

static double put_channels(FILE *f, const json_t *doc, double y)
{
	const json_t *rep = json_object_get(doc, "report"), *e;
	const json_t *chans = json_object_get(rep, "channels");
	size_t n = json_array_size(chans), i;
	char b[48];

	put_text(f, LX, y + 14, "font-size=\"13\" font-weight=\"bold\"",
		 "Channels between members (counts at the cuts)", 0);
	y += SEC_H - 10;
	if (!json_is_object(rep)) {
		put_text(f, LX, y + 4, "font-size=\"11\" fill=\"" C_MUTED "\"",
			 "no report: the snapshot was not accepted, its "
			 "channels are not checked", 0);
		return y + 24;
	}
	for (i = 0; i < sizeof(chan_cols) / sizeof(chan_cols[0]); i++)
		put_text(f, LX + chan_x[i], y, "font-size=\"11\" "
			 "font-weight=\"bold\"", chan_cols[i], 0);
	if (!n)
		put_text(f, LX, y + ROW_H, "font-size=\"11\" fill=\"" C_MUTED
			 "\"", "no member talked to another", 0);
	json_array_foreach(chans, i, e) {
		double ry = y + (double)(i + 1) * ROW_H;
		bool bal = json_is_true(json_object_get(e, "balanced"));
		int64_t v;

		if (i == MAX_ROWS) {
			snprintf(b, sizeof(b), "and %zu more (beaverctl show ID)",
				 n - MAX_ROWS);
			put_text(f, LX, ry, "font-size=\"11\"", b, 0);
			break;
		}
		if (i % 2)
			fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" "
				"height=\"%d\" fill=\"#f5f5f5\"/>\n", LX - 4,
				ry - 13, W - 2 * LX, ROW_H);
		put_text(f, LX + chan_x[0], ry, "font-size=\"11\"",
			 str_or(e, "from", "?"), NAME_LEN);
		put_text(f, LX + chan_x[1] - 16, ry, "font-size=\"11\"",
			 "\u2192", 0);
		put_text(f, LX + chan_x[1], ry, "font-size=\"11\"",
			 str_or(e, "to", "?"), NAME_LEN);
		put_text(f, LX + chan_x[2], ry, "font-size=\"11\"",
			 str_or(e, "family", "ipv4"), 8);
		fmt_count(b, sizeof(b), e, "sent");
		put_text(f, LX + chan_x[3], ry, "font-size=\"11\" "
			 "font-family=\"monospace\"", b, 0);
		fmt_count(b, sizeof(b), e, "received");
		put_text(f, LX + chan_x[4], ry, "font-size=\"11\" "
			 "font-family=\"monospace\"", b, 0);
		fmt_count(b, sizeof(b), e, "inflight");
		put_text(f, LX + chan_x[5], ry, get_i64(e, "inflight", &v) && v ?
			 "font-size=\"11\" font-family=\"monospace\" "
			 "font-weight=\"bold\" fill=\"" C_FLIGHT "\"" :
			 "font-size=\"11\" font-family=\"monospace\"", b, 0);
		fmt_count(b, sizeof(b), e, "late");
		if (!json_object_get(e, "late"))
			snprintf(b, sizeof(b), "0");
		put_text(f, LX + chan_x[6], ry, get_i64(e, "late", &v) && v ?
			 "font-size=\"11\" font-family=\"monospace\" "
			 "font-weight=\"bold\" fill=\"" C_WARN "\"" :
			 "font-size=\"11\" font-family=\"monospace\"", b, 0);
		/* null: a restart left nothing to check it against */
		put_text(f, LX + chan_x[7], ry, bal ? "font-size=\"11\" fill=\""
			 C_OK "\"" : "font-size=\"11\" font-weight=\"bold\" "
			 "fill=\"" C_BAD "\"", bal ? "yes" :
			 json_is_null(json_object_get(e, "balanced")) ?
			 str_or(e, "check", "?") : "NO", 0);
	}
	return y + (double)((n < MAX_ROWS ? n : MAX_ROWS + 1) + 1) * ROW_H +
	       (n ? 6 : 24);
}

static double channels_height(const json_t *doc)
{
	const json_t *rep = json_object_get(doc, "report");
	size_t n = json_array_size(json_object_get(rep, "channels"));

	if (!json_is_object(rep))
		return SEC_H - 10 + 24;
	return SEC_H - 10 + (double)((n < MAX_ROWS ? n : MAX_ROWS + 1) + 1) *
	       ROW_H + (n ? 6 : 24);
}

/* the height, from the same counts as the sections use */
static int picture_height(const json_t *doc)
{
	size_t na = json_array_size(json_object_get(doc, "attempts"));
	size_t nm = json_array_size(lanes_of(doc));
	double h = HEAD_H;

	h += SEC_H - 6 + (double)na * ATT_H + (na ? 8 : 30);
	h += SEC_H - 6 + (double)(nm < MAX_LANES ? nm : MAX_LANES + 1) *
	     LANE_H + (nm ? 8 : 30);
	h += channels_height(doc);
	h += 10 + (double)n_legend * LEGEND_LINE + 10;
	return (int)h;
}

int svg_snapshot(FILE *f, const json_t *doc)
{
	int h = picture_height(doc);
	double y;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
		W, h, W, h);
	fputs("<title>Beaver snapshot</title>\n", f);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, h);
	put_header(f, doc);
	y = put_attempts(f, doc, HEAD_H);
	y = put_lanes(f, doc, y);
	y = put_channels(f, doc, y);
	fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		"stroke=\"%s\"/>\n", LX, y, W - LX, y, C_GRID);
	for (size_t i = 0; i < n_legend; i++)
		put_text(f, LX, y + 10 + (double)(i + 1) * LEGEND_LINE - 4,
			 "font-size=\"10\" fill=\"" C_MUTED "\"", legend[i], 0);
	fputs("</svg>\n", f);
	return fflush(f) || ferror(f) ? -1 : 0;
}
