// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The one print path. See print.h.
 *
 * Text output is built as a stack of frames, one per open object or array,
 * and rendered when the frame closes (tables need every row to align their
 * columns); the top-level frame is written by pr_end(). Stream arrays are
 * the exception: their rows are written as they close.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "print.h"

#define MAX_DEPTH 32

static bool json_mode, color;

/* --- small helpers ---------------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("beaverctl: out of memory\n", stderr);
		exit(BVX_ERROR);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

/* a growing string */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_pad(struct sbuf *b, size_t n)
{
	while (n--)
		sb_add(b, " ", 1);
}

static char *sb_take(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

/* --- colour ------------------------------------------------------------------- */

enum colour { C_NONE, C_GREEN, C_RED, C_YELLOW, C_BOLD };

static const char *const colour_on[] = {
	[C_GREEN] = "\033[32m", [C_RED] = "\033[31m",
	[C_YELLOW] = "\033[33m", [C_BOLD] = "\033[1m",
};

/* s in colour c (when colour is on), then n spaces */
static void sb_coloured(struct sbuf *b, const char *s, enum colour c)
{
	if (color && c != C_NONE)
		sb_puts(b, colour_on[c]);
	sb_puts(b, s);
	if (color && c != C_NONE)
		sb_puts(b, "\033[0m");
}

/* --- text formatting of one value ------------------------------------------ */

struct cell {
	char *s;		/* NULL: no cell */
	enum colour c;
	bool right;		/* numbers align right */
	size_t minw;		/* width a stream column keeps free */
};

static void fmt_duration(char *b, size_t n, double ns)
{
	static const struct { double div; const char *unit; } units[] = {
		{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" }, { 1, "ns" },
	};
	size_t i;
	double v;

	for (i = 0; i < 3 && ns < units[i].div; i++)
		;
	v = ns / units[i].div;
	if (i == 3)
		snprintf(b, n, "%.0fns", ns);
	else if (v < 10)
		snprintf(b, n, "%.2f%s", v, units[i].unit);
	else if (v < 100)
		snprintf(b, n, "%.1f%s", v, units[i].unit);
	else
		snprintf(b, n, "%.0f%s", v, units[i].unit);
}

/* a JSON number (or a u64 written as a decimal string) */
static bool num_of(const json_t *v, double *d, uint64_t *u, bool *neg)
{
	*neg = false;
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		*neg = i < 0;
		*u = (uint64_t)i;
		*d = (double)i;
		return true;
	}
	if (json_is_real(v)) {
		*d = json_real_value(v);
		*neg = *d < 0;
		*u = *d < 0 ? 0 : (uint64_t)*d;
		return true;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;

		if (!isdigit((unsigned char)s[0]))
			return false;
		*u = strtoull(s, &end, 10);
		*d = (double)*u;
		return *end == '\0';
	}
	return false;
}

static void fmt_value(const json_t *v, enum pr_fmt fmt, struct cell *out);

static void fmt_number(const json_t *v, enum pr_fmt fmt, struct cell *out)
{
	char b[64];
	double d;
	uint64_t u;
	bool neg;

	num_of(v, &d, &u, &neg);
	out->right = true;
	out->minw = 5;
	switch (fmt) {
	case PR_NS:
	case PR_NS_OPT:
	case PR_US:
	case PR_US_OPT:
	case PR_MS:
		out->minw = 7;
		if (neg) {
			snprintf(b, sizeof(b), "%g", d);
			break;
		}
		if (d == 0 && (fmt == PR_NS_OPT || fmt == PR_US_OPT)) {
			snprintf(b, sizeof(b), "-");
			break;
		}
		fmt_duration(b, sizeof(b), fmt == PR_NS || fmt == PR_NS_OPT ?
			     d : fmt == PR_MS ? d * 1e6 : d * 1e3);
		break;
	case PR_TIME: {
		time_t t = (time_t)(u / 1000000000u);
		struct tm tm;

		out->minw = 19;
		out->right = false;
		if (!u || neg || !localtime_r(&t, &tm))
			snprintf(b, sizeof(b), "-");
		else
			strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", &tm);
		break;
	}
	case PR_MONO:
		out->minw = 12;
		if (!u || neg)
			snprintf(b, sizeof(b), "-");
		else
			snprintf(b, sizeof(b), "%" PRIu64 ".%06" PRIu64,
				 u / 1000000000u, u % 1000000000u / 1000);
		break;
	case PR_EPOCH:
		if (!u || neg)
			snprintf(b, sizeof(b), "-");
		else
			snprintf(b, sizeof(b), "%" PRIu64, u);
		break;
	case PR_HEX:
		snprintf(b, sizeof(b), "0x%" PRIx64, u);
		break;
	case PR_BAD:
		if (u && !neg)
			out->c = C_RED;
		/* fall through */
	default:
		if (json_is_real(v))
			snprintf(b, sizeof(b), "%g", d);
		else if (neg)
			snprintf(b, sizeof(b), "%" PRId64, (int64_t)u);
		else
			snprintf(b, sizeof(b), "%" PRIu64, u);
		break;
	}
	out->s = xstrdup(b);
}

static void fmt_value(const json_t *v, enum pr_fmt fmt, struct cell *out)
{
	double d;
	uint64_t u;
	bool neg;

	memset(out, 0, sizeof(*out));
	if (!v || json_is_null(v)) {
		/* "-" where a number would be: aligned like one */
		out->s = xstrdup("-");
		out->right = fmt == PR_NS || fmt == PR_NS_OPT || fmt == PR_US ||
			     fmt == PR_US_OPT || fmt == PR_MS || fmt == PR_MONO ||
			     fmt == PR_EPOCH || fmt == PR_HEX;
		out->minw = fmt == PR_TIME ? 19 : fmt == PR_STATE ? 10 :
			    out->right ? 7 : 0;
		return;
	}
	if (json_is_boolean(v)) {
		bool t = json_is_true(v);

		out->s = xstrdup(t ? "yes" : "no");
		if (fmt == PR_GOOD)
			out->c = t ? C_GREEN : C_RED;
		else if (fmt == PR_BAD && t)
			out->c = C_RED;
		return;
	}
	if (json_is_number(v) ||
	    (json_is_string(v) && fmt != PR_PLAIN && fmt != PR_STATE &&
	     num_of(v, &d, &u, &neg))) {
		fmt_number(v, fmt, out);
		return;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		out->s = xstrdup(s[0] ? s : "-");
		if (fmt == PR_STATE) {
			out->minw = 10;
			if (!strcmp(s, "accepted"))
				out->c = C_GREEN;
			else if (!strcmp(s, "rejected") || !strcmp(s, "failed"))
				out->c = C_RED;
			else
				out->c = C_YELLOW;
		}
		return;
	}
	if (json_is_array(v)) {
		struct sbuf b = { 0 };
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e) {
			struct cell c;

			fmt_value(e, fmt, &c);
			if (i)
				sb_puts(&b, ", ");
			sb_puts(&b, c.s);
			free(c.s);
		}
		out->s = i ? sb_take(&b) : xstrdup("-");
		return;
	}
	out->s = json_dumps(v, JSON_COMPACT);
	if (!out->s)
		out->s = xstrdup("?");
}

/* --- JSON mode ------------------------------------------------------------------ */

static json_t *jroot;
static json_t *jstack[MAX_DEPTH];
static int jdepth;

/* the open object or array (NULL past MAX_DEPTH or in a detached one) */
static json_t *jtop(void)
{
	return jdepth > 0 && jdepth <= MAX_DEPTH ? jstack[jdepth - 1] : NULL;
}

/* put v (a new reference, taken over) into the open container; false if
 * it had nowhere to go (and was freed) */
static bool jput(const char *key, json_t *v)
{
	json_t *parent = jtop();

	if (!v)
		return false;
	if (json_is_array(parent))
		return !json_array_append_new(parent, v);
	if (json_is_object(parent) && key)
		return !json_object_set_new(parent, key, v);
	json_decref(v);
	return false;
}

static void jpush(json_t *v)
{
	if (jdepth < MAX_DEPTH)
		jstack[jdepth] = v;
	jdepth++;
}

/* --- text mode ------------------------------------------------------------------ */

enum fkind {
	F_OBJ,		/* "label: value" lines */
	F_FLAT,		/* an object whose fields join the parent's */
	F_ARR,		/* a table, or a list of scalars */
	F_ROW,		/* an object in a table */
	F_LIST,		/* an array inside a row: one joined cell */
	F_HIDE,		/* JSON only */
};

struct item {
	char *label;	/* NULL for a block */
	struct cell val;
	char *block;	/* a rendered nested object or table */
};

struct col {
	char *label;
	size_t w;
	bool right;
	size_t minw;
};

struct row {
	struct cell *cells;	/* by column */
	size_t n;
};

struct frame {
	enum fkind kind;
	char *label;
	int indent;		/* F_OBJ: of its lines; F_ARR: of its rows */
	/* F_OBJ */
	struct item *items;
	size_t n_items;
	/* F_ARR */
	struct col *cols;
	size_t n_cols;
	struct row *rows;
	size_t n_rows;
	bool stream, header_done, is_list;
	/* F_ARR of scalars, F_LIST */
	struct sbuf list;
	size_t n_list;
};

static struct frame tstack[MAX_DEPTH];
static int tdepth;

static struct frame *top(void)
{
	return tdepth ? &tstack[tdepth - 1] : NULL;
}

static struct frame *tpush(enum fkind kind, const char *label, int indent)
{
	struct frame *f;

	if (tdepth >= MAX_DEPTH) {
		tdepth++;
		return NULL;
	}
	f = &tstack[tdepth++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->label = label ? xstrdup(label) : NULL;
	f->indent = indent;
	return f;
}

/* the frame whose lines a flattened object writes into */
static struct frame *owner(void)
{
	for (int i = tdepth - 1; i >= 0 && i < MAX_DEPTH; i--)
		if (tstack[i].kind != F_FLAT)
			return &tstack[i];
	return NULL;
}

static void obj_add(struct frame *f, const char *label, struct cell c,
		    char *block)
{
	struct item *it;

	f->items = xrealloc(f->items, (f->n_items + 1) * sizeof(*f->items));
	it = &f->items[f->n_items++];
	it->label = label ? xstrdup(label) : NULL;
	it->val = c;
	it->block = block;
}

/* a column header: the label in capitals, spaces as '_' */
static char *col_label(const char *label)
{
	char *s = xstrdup(label ? label : "");

	for (char *p = s; *p; p++)
		*p = (char)(*p == ' ' ? '_' : toupper((unsigned char)*p));
	return s;
}

static size_t col_index(struct frame *arr, const char *label)
{
	char *l = col_label(label);

	for (size_t i = 0; i < arr->n_cols; i++) {
		if (!strcmp(arr->cols[i].label, l)) {
			free(l);
			return i;
		}
	}
	arr->cols = xrealloc(arr->cols, (arr->n_cols + 1) * sizeof(*arr->cols));
	arr->cols[arr->n_cols] = (struct col){ .label = l, .w = strlen(l) };
	return arr->n_cols++;
}

static void row_add(struct frame *arr, const char *label, struct cell c)
{
	struct row *r;
	size_t i;

	if (!arr || !arr->n_rows) {
		free(c.s);
		return;
	}
	r = &arr->rows[arr->n_rows - 1];
	i = col_index(arr, label);

	if (i >= r->n) {
		r->cells = xrealloc(r->cells, (i + 1) * sizeof(*r->cells));
		memset(r->cells + r->n, 0, (i + 1 - r->n) * sizeof(*r->cells));
		r->n = i + 1;
	}
	free(r->cells[i].s);
	r->cells[i] = c;
}

/* the table (F_ARR) a row or flattened object belongs to */
static struct frame *row_table(void)
{
	for (int i = tdepth - 1; i > 0 && i < MAX_DEPTH; i--)
		if (tstack[i].kind == F_ROW)
			return &tstack[i - 1];
	return NULL;
}

static void tput(const char *label, const json_t *v, enum pr_fmt fmt)
{
	struct frame *f = owner();
	struct cell c;

	if (!f || tdepth > MAX_DEPTH || f->kind == F_HIDE)
		return;
	if (f->kind == F_ARR || f->kind == F_LIST) {
		/* a scalar element */
		fmt_value(v, fmt, &c);
		if (f->n_list++)
			sb_puts(&f->list, ", ");
		sb_puts(&f->list, c.s);
		free(c.s);
		if (f->kind == F_ARR)
			f->is_list = true;
		return;
	}
	if (!label)
		return;
	fmt_value(v, fmt, &c);
	if (f->kind == F_ROW)
		row_add(row_table(), label, c);
	else
		obj_add(f, label, c, NULL);
}

static void free_cell(struct cell *c)
{
	free(c->s);
	c->s = NULL;
}

static void frame_free(struct frame *f)
{
	for (size_t i = 0; i < f->n_items; i++) {
		free(f->items[i].label);
		free_cell(&f->items[i].val);
		free(f->items[i].block);
	}
	free(f->items);
	for (size_t i = 0; i < f->n_rows; i++) {
		for (size_t j = 0; j < f->rows[i].n; j++)
			free_cell(&f->rows[i].cells[j]);
		free(f->rows[i].cells);
	}
	free(f->rows);
	for (size_t i = 0; i < f->n_cols; i++)
		free(f->cols[i].label);
	free(f->cols);
	free(f->list.s);
	free(f->label);
	memset(f, 0, sizeof(*f));
}

/* "label: value" lines, values aligned, blocks in their place */
static char *render_obj(struct frame *f, bool heading)
{
	struct sbuf b = { 0 };
	size_t w = 0;

	if (heading && f->label) {
		sb_pad(&b, (size_t)(f->indent >= 2 ? f->indent - 2 : 0));
		sb_coloured(&b, f->label, C_BOLD);
		sb_puts(&b, ":\n");
	}
	for (size_t i = 0; i < f->n_items; i++)
		if (f->items[i].label && strlen(f->items[i].label) > w)
			w = strlen(f->items[i].label);
	for (size_t i = 0; i < f->n_items; i++) {
		struct item *it = &f->items[i];

		if (it->block) {
			sb_puts(&b, it->block);
			continue;
		}
		if (!it->label)
			continue;
		sb_pad(&b, (size_t)f->indent);
		sb_puts(&b, it->label);
		sb_puts(&b, ":");
		sb_pad(&b, w - strlen(it->label) + 1);
		sb_coloured(&b, it->val.s, it->val.c);
		sb_puts(&b, "\n");
	}
	return sb_take(&b);
}

static void render_cell(struct sbuf *b, const struct cell *c, size_t w,
			bool right, bool last)
{
	const char *s = c->s ? c->s : "";
	size_t len = strlen(s), pad = len < w ? w - len : 0;

	if (right)
		sb_pad(b, pad);
	sb_coloured(b, s, c->c);
	if (!right && !last)
		sb_pad(b, pad);
}

static void render_header(struct sbuf *b, struct frame *f)
{
	sb_pad(b, (size_t)f->indent);
	for (size_t i = 0; i < f->n_cols; i++) {
		struct cell c = { .s = f->cols[i].label, .c = C_BOLD };

		if (i)
			sb_puts(b, "  ");
		render_cell(b, &c, f->cols[i].w, f->cols[i].right,
			    i + 1 == f->n_cols);
	}
	sb_puts(b, "\n");
}

static void render_row(struct sbuf *b, struct frame *f, struct row *r)
{
	static struct cell none = { .s = (char *)"-" };

	sb_pad(b, (size_t)f->indent);
	for (size_t i = 0; i < f->n_cols; i++) {
		const struct cell *c = i < r->n && r->cells[i].s ?
				       &r->cells[i] : &none;

		if (i)
			sb_puts(b, "  ");
		render_cell(b, c, f->cols[i].w, f->cols[i].right,
			    i + 1 == f->n_cols);
	}
	sb_puts(b, "\n");
}

/* widths (and alignment) of the columns from the header and rows */
static void measure(struct frame *f, size_t first_row, bool use_minw)
{
	for (size_t i = first_row; i < f->n_rows; i++) {
		struct row *r = &f->rows[i];

		for (size_t j = 0; j < r->n && j < f->n_cols; j++) {
			struct cell *c = &r->cells[j];
			size_t len = c->s ? strlen(c->s) : 0;

			if (!c->s)
				continue;
			if (use_minw && c->minw > len)
				len = c->minw;
			if (len > f->cols[j].w)
				f->cols[j].w = len;
			/* a column of numbers ("-" for none) aligns right */
			f->cols[j].right |= c->right;
		}
	}
}

static char *render_table(struct frame *f)
{
	struct sbuf b = { 0 };

	if (f->label && f->label[0]) {
		sb_pad(&b, (size_t)(f->indent >= 2 ? f->indent - 2 : 0));
		sb_coloured(&b, f->label, C_BOLD);
		sb_puts(&b, ":\n");
	}
	measure(f, 0, false);
	render_header(&b, f);
	for (size_t i = 0; i < f->n_rows; i++)
		render_row(&b, f, &f->rows[i]);
	return sb_take(&b);
}

/* a stream array's row just closed: print it (and the header, first) */
static void stream_row(struct frame *f)
{
	struct sbuf b = { 0 };
	struct row *r = &f->rows[f->n_rows - 1];

	if (!f->header_done) {
		if (f->label && f->label[0]) {
			sb_coloured(&b, f->label, C_BOLD);
			sb_puts(&b, ":\n");
		}
		measure(f, f->n_rows - 1, true);
		render_header(&b, f);
		f->header_done = true;
	}
	render_row(&b, f, r);
	fputs(b.s, stdout);
	fflush(stdout);
	free(b.s);
	for (size_t j = 0; j < r->n; j++)
		free_cell(&r->cells[j]);
	free(r->cells);
	f->n_rows--;
}

/* --- the API ------------------------------------------------------------------- */

void pr_init(bool json, bool colour)
{
	json_mode = json;
	color = colour && !json;
}

bool pr_is_json(void)
{
	return json_mode;
}

void pr_begin(const json_t *src)
{
	if (json_mode) {
		jroot = json_is_object(src) ? json_deep_copy(src) : json_object();
		jdepth = 0;
		jpush(jroot);
		return;
	}
	tdepth = 0;
	tpush(F_OBJ, NULL, 0);
}

int pr_end(void)
{
	int rc = 0;

	if (json_mode) {
		if (jroot && json_dumpf(jroot, stdout, JSON_INDENT(2)))
			rc = -1;
		fputc('\n', stdout);
		json_decref(jroot);
		jroot = NULL;
		jdepth = 0;
	} else if (tdepth) {
		char *s = render_obj(&tstack[0], false);

		fputs(s, stdout);
		free(s);
		while (tdepth > 0)
			frame_free(&tstack[--tdepth]);
	}
	if (fflush(stdout) || ferror(stdout))
		rc = -1;
	return rc;
}

void pr_open(const char *key, const char *label, const json_t *src)
{
	struct frame *f, *o;

	if (json_mode) {
		json_t *parent = jtop();
		json_t *cur = key && json_is_object(parent) ?
			      json_object_get(parent, key) : NULL;

		if (!json_is_object(cur)) {
			cur = json_is_object(src) ? json_deep_copy(src)
						  : json_object();
			/* borrowed from here on: the parent owns it */
			if (!jput(key, cur))
				cur = NULL;
		}
		jpush(cur);
		return;
	}
	f = top();
	o = owner();
	if (!f || tdepth >= MAX_DEPTH || !o || o->kind == F_HIDE ||
	    o->kind == F_LIST) {
		tpush(F_HIDE, NULL, 0);
	} else if (o->kind == F_ARR) {
		/* an element: a table row */
		tpush(F_ROW, NULL, 0);
		o->rows = xrealloc(o->rows, (o->n_rows + 1) * sizeof(*o->rows));
		o->rows[o->n_rows++] = (struct row){ 0 };
	} else if (!label) {
		tpush(F_HIDE, NULL, 0);
	} else if (!label[0] || o->kind == F_ROW) {
		tpush(F_FLAT, NULL, 0);
	} else {
		tpush(F_OBJ, label, o->indent + 2);
	}
}

void pr_close(void)
{
	struct frame *f;

	if (json_mode) {
		if (jdepth > 1)
			jdepth--;
		return;
	}
	if (tdepth <= 1)
		return;
	if (tdepth > MAX_DEPTH) {
		tdepth--;
		return;
	}
	f = &tstack[--tdepth];
	if (f->kind == F_OBJ) {
		struct frame *o = owner();
		struct cell none = { 0 };

		if (o && o->kind == F_OBJ && !f->n_items) {
			none.s = xstrdup("none");
			obj_add(o, f->label, none, NULL);
		} else if (o && o->kind == F_OBJ) {
			obj_add(o, NULL, none, render_obj(f, true));
		}
	} else if (f->kind == F_ROW) {
		struct frame *arr = top();

		if (arr && arr->stream)
			stream_row(arr);
	}
	frame_free(f);
}

static void open_array(const char *key, const char *label, bool stream)
{
	struct frame *o, *f;

	if (json_mode) {
		json_t *a = json_array();

		jpush(jput(key, a) ? a : NULL);
		return;
	}
	o = owner();
	if (!o || tdepth >= MAX_DEPTH || o->kind == F_HIDE ||
	    o->kind == F_ARR || o->kind == F_LIST || !label) {
		tpush(F_HIDE, NULL, 0);
	} else if (o->kind == F_ROW) {
		tpush(F_LIST, label, 0);
	} else {
		f = tpush(F_ARR, label, o->indent + (label[0] ? 2 : 0));
		f->stream = stream && tdepth == 2;
	}
}

void pr_open_array(const char *key, const char *label)
{
	open_array(key, label, false);
}

void pr_open_stream(const char *key, const char *label)
{
	open_array(key, label, true);
}

void pr_close_array(void)
{
	struct frame *f, *o;
	struct cell c = { 0 };

	if (json_mode) {
		if (jdepth > 1)
			jdepth--;
		return;
	}
	if (tdepth <= 1)
		return;
	if (tdepth > MAX_DEPTH) {
		tdepth--;
		return;
	}
	f = &tstack[--tdepth];
	o = owner();
	if (f->kind == F_LIST && o && o->kind == F_ROW) {
		c.s = f->n_list ? sb_take(&f->list) : xstrdup("-");
		row_add(row_table(), f->label, c);
	} else if (f->kind == F_ARR && o && o->kind == F_OBJ) {
		if (f->is_list && f->label[0]) {
			c.s = sb_take(&f->list);
			obj_add(o, f->label, c, NULL);
		} else if (f->n_rows) {
			obj_add(o, NULL, c, render_table(f));
		} else if (!f->header_done && !f->is_list && f->label[0]) {
			c.s = xstrdup("none");
			obj_add(o, f->label, c, NULL);
		}
	}
	frame_free(f);
}

void pr_value(const char *key, const char *label, const json_t *v,
	      enum pr_fmt fmt)
{
	if (json_mode) {
		if (v)
			jput(key, json_deep_copy(v));
		return;
	}
	tput(label, v, fmt);
}

void pr_field(const json_t *obj, const char *key, const char *label,
	      enum pr_fmt fmt)
{
	pr_value(key, label, json_object_get(obj, key), fmt);
}

void pr_fields(const json_t *obj, enum pr_fmt fmt)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
		pr_value(key, key, v, fmt);
}

void pr_u64(const char *key, const char *label, uint64_t v, enum pr_fmt fmt)
{
	json_t *j = v <= INT64_MAX ? json_integer((json_int_t)v)
				   : json_sprintf("%" PRIu64, v);

	pr_value(key, label, j, fmt);
	json_decref(j);
}

void pr_str(const char *key, const char *label, const char *v,
	    enum pr_fmt fmt)
{
	json_t *j = v ? json_string(v) : json_null();

	pr_value(key, label, j, fmt);
	json_decref(j);
}

int pr_document(const json_t *doc)
{
	if (json_dumpf(doc, stdout, JSON_INDENT(2)))
		return -1;
	fputc('\n', stdout);
	if (fflush(stdout) || ferror(stdout))
		return -1;
	return 0;
}
