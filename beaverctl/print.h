/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * One print path for text and JSON (the iproute2 print_u64(PRINT_ANY, ...)
 * model): every value beaverctl shows goes through pr_value() with its
 * JSON key and its text label, so the two outputs cannot disagree.
 *
 *  - JSON (--json): the output is the daemon's result object. pr_begin()
 *    starts from a copy of it (so fields this beaverctl does not know yet
 *    are kept), and every pr_*() call writes its key into it again; arrays
 *    are rebuilt element by element, each element starting from a copy of
 *    its source. pr_end() prints it, indented.
 *  - text: objects become "label: value" lines (nested objects indented
 *    under a "label:" heading), arrays of objects become aligned tables
 *    (the labels are the column headers), arrays of scalars become
 *    comma-separated values. Colour only when stdout is a terminal.
 *
 * Labels: NULL = JSON only (not shown as text); "" = an object or array
 * shown without a heading (an object's fields join its parent's lines, an
 * array is a table without a title).
 */
#ifndef BEAVERCTL_PRINT_H
#define BEAVERCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

/* how a value reads as text (JSON output never changes) */
enum pr_fmt {
	PR_PLAIN,	/* numbers, strings, yes/no; null or absent is "-" */
	PR_NS,		/* a duration in ns: "12.3us" */
	PR_NS_OPT,	/* the same, 0 (none measured) is "-" */
	PR_US,		/* a duration in us */
	PR_US_OPT,	/* the same, 0 (none measured) is "-" */
	PR_MS,		/* a duration in ms */
	PR_TIME,	/* CLOCK_REALTIME ns: "2024-05-01 12:34:56"; 0 is "-" */
	PR_MONO,	/* CLOCK_MONOTONIC ns: "1234.567890" s; 0 is "-" */
	PR_EPOCH,	/* an epoch: 0 (none) is "-" */
	PR_HEX,		/* "0x3f" */
	PR_STATE,	/* a snapshot state, coloured by verdict */
	PR_GOOD,	/* yes is good (green), no is bad (red) */
	PR_BAD,		/* yes, or a non-zero count, is bad (red) */
};

void pr_init(bool json, bool color);
bool pr_is_json(void);

/* the top-level object (src: the daemon's result, may be NULL) */
void pr_begin(const json_t *src);
/* print it; 0, or -1 if stdout failed */
int pr_end(void);

/* a nested object; src: its source (JSON: the copy starts from it) */
void pr_open(const char *key, const char *label, const json_t *src);
void pr_close(void);
/* an array (elements: pr_open(NULL, NULL, elem) or scalars, key NULL) */
void pr_open_array(const char *key, const char *label);
/* the same, text rows printed as they close (a series in progress):
 * column widths come from the first row; only at the top level */
void pr_open_stream(const char *key, const char *label);
void pr_close_array(void);

/* the one path every value takes */
void pr_value(const char *key, const char *label, const json_t *v,
	      enum pr_fmt fmt);
/* obj[key] (absent: "-" as text, nothing in JSON) */
void pr_field(const json_t *obj, const char *key, const char *label,
	      enum pr_fmt fmt);
/* every field of obj, each labelled by its key (counters) */
void pr_fields(const json_t *obj, enum pr_fmt fmt);
void pr_u64(const char *key, const char *label, uint64_t v, enum pr_fmt fmt);
void pr_str(const char *key, const char *label, const char *v,
	    enum pr_fmt fmt);

/* a whole document printed as JSON in both modes (export) */
int pr_document(const json_t *doc);

#endif /* BEAVERCTL_PRINT_H */
