// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl/svg.c: the picture of a snapshot, drawn from hand-made export
 * documents (beaver-snapshot/1). Each picture must be well-formed XML
 * (xmllint --noout), self-contained (no script, no reference), escape
 * every string of the document, and render: rsvg-convert turns it into a
 * PNG of the size the SVG declares. xmllint (libxml2-utils) and
 * rsvg-convert (librsvg2-bin) come from scripts/install-deps.sh; a missing
 * one fails the test rather than passing it unchecked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "svg.h"

static char dir[] = "/tmp/beaver-svg-XXXXXX";

/* an attempt; acks from t0 + d1 and t0 + d2 (0: none) */
static json_t *attempt(int n, int epoch, int64_t t0, int64_t t1,
		       const char *verdict, const char *reason)
{
	json_t *a = json_pack("{s:i, s:i, s:I, s:I, s:s, s:[]}", "n", n,
			      "epoch", epoch, "t0_ns", (json_int_t)t0,
			      "t1_ns", (json_int_t)t1, "verdict", verdict,
			      "acks");
	const char *gw[] = { "gw1", "gw2" };

	json_object_set_new(a, "bound_ns", t1 ? json_integer(t1 - t0)
					      : json_null());
	json_object_set_new(a, "reason", reason ? json_string(reason)
						: json_null());
	for (int i = 0; t1 && i < 2; i++)
		json_array_append_new(json_object_get(a, "acks"), json_pack(
			"{s:s, s:i, s:i, s:b, s:i, s:I, s:I}", "node", gw[i],
			"prev", epoch - 1, "epoch", epoch, "advanced", 1,
			"err", 0, "switch_ns", (json_int_t)(9000000 + i),
			"at_ns", (json_int_t)(t0 + (t1 - t0) * (i + 1) / 2)));
	return a;
}

static json_t *cut(int epoch, int64_t ns, const char *flag)
{
	json_t *c = json_pack("{s:i, s:i, s:i, s:I, s:s, s:[], s:i, s:i, "
			      "s:i, s:I}", "epoch", epoch, "first", epoch,
			      "last", epoch, "ns", (json_int_t)ns, "state",
			      "complete", "flags", "late", 0, "late_bytes", 0,
			      "settle_ms", 100, "complete_ns",
			      (json_int_t)(ns + 100000000));

	if (flag)
		json_array_append_new(json_object_get(c, "flags"),
				      json_string(flag));
	return c;
}

/*
 * an accepted snapshot of the members named (its last attempt accepted,
 * those before rejected), channels between consecutive members, the first
 * with packets in flight and late
 */
static json_t *export_doc(const char *const *names, int n, int attempts)
{
	json_t *doc = json_pack("{s:s, s:i, s:s, s:n, s:i, s:I, s:I, s:I, "
				"s:I, s:[], s:[]}", "schema",
				"beaver-snapshot/1", "id", 7, "state",
				"accepted", "reason", "epoch", 20 + attempts,
				"created_ns", (json_int_t)1700000000000000000,
				"finished_ns", (json_int_t)1700000001000000000,
				"tau_min_ns", (json_int_t)33000, "bound_ns",
				(json_int_t)12000, "attempts", "members");
	json_t *rep = json_pack("{s:s, s:i, s:I, s:I, s:b, s:b, s:i, s:i, "
				"s:i, s:i, s:i, s:[], s:[]}", "schema",
				"beaver-report/1", "epoch", 20 + attempts,
				"tau_min_ns", (json_int_t)33000, "bound_ns",
				(json_int_t)12000, "bound_ok", 1, "balanced", 1,
				"missing_members", 0, "incomplete_members", 0,
				"unbalanced_channels", 0, "late", 1, "bypass", 2,
				"members", "channels");

	for (int i = 1; i <= attempts; i++)
		json_array_append_new(json_object_get(doc, "attempts"),
			i < attempts ?
			attempt(i, 20 + i, 1000000 * i, 1000000 * i + 45000,
				"rejected", "bound 45000 ns is not below "
				"tau_min 33000 ns <&\">") :
			attempt(i, 20 + i, 1000000 * i, 1000000 * i + 12000,
				"accepted", NULL));
	for (int i = 0; i < n; i++) {
		json_array_append_new(json_object_get(doc, "members"), json_pack(
			"{s:s, s:{s:i, s:o, s:[], s:[], s:[]}}", "node",
			names[i], "record", "epoch", 20 + attempts, "cut",
			cut(20 + attempts, 5000000000LL * (i + 1),
			    i == 1 ? "untracked" : i == 2 ? "tx_unstamped" :
			    NULL), "flows", "channels", "captures"));
		json_array_append_new(json_object_get(rep, "members"), json_pack(
			"{s:s, s:s, s:b, s:I, s:i, s:i, s:s, s:b, s:b, s:b, "
			"s:i, s:i, s:i, s:i, s:i}", "node", names[i],
			"address", "10.0.1.1", "present", 1, "cut_ns",
			(json_int_t)(5000000000LL * (i + 1)), "first",
			20 + attempts, "last", 20 + attempts, "state",
			"complete", "complete", 1, "incomplete", 0,
			"capture_truncated", 0, "late", 0, "bypass",
			i == 0 ? 2 : 0, "settle_ms", 100, "flows", 3,
			"channels", 2));
		if (i + 1 < n)
			json_array_append_new(json_object_get(rep, "channels"),
				json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, "
					  "s:i, s:i, s:i, s:b}", "from",
					  names[i], "to", names[i + 1], "sent",
					  100, "sent_bytes", 10000, "received",
					  i ? 100 : 96, "received_bytes", 9600,
					  "inflight", i ? 0 : 3,
					  "inflight_bytes", 300, "late", i ? 0 : 1,
					  "late_bytes", 100, "balanced", 1));
	}
	json_object_set_new(doc, "report", rep);
	return doc;
}

/* draw doc to DIR/name.svg; its text (freed by the caller) */
static char *draw(const json_t *doc, const char *name)
{
	char path[256];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s.svg", dir, name);
	f = fopen(path, "w+");
	assert_non_null(f);
	assert_int_equal(svg_snapshot(f, doc), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static unsigned be32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 |
	       (unsigned)p[2] << 8 | p[3];
}

/*
 * The checks every picture passes: well-formed, self-contained, and
 * rendered by rsvg-convert to a PNG of its declared width and height
 */
static void check_picture(const char *svg, const char *name)
{
	static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r',
						  '\n', 0x1a, '\n' };
	unsigned char hdr[24];
	char cmd[600];
	unsigned w, h;
	const char *p;
	FILE *f;

	static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
				   "\n<svg xmlns=\"http://www.w3.org/2000/svg\"";

	assert_int_equal(strncmp(svg, head, strlen(head)), 0);
	/* no script, no external reference, no font file */
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "url("));
	assert_null(strstr(svg, "@import"));
	assert_null(strstr(svg, "@font-face"));
	p = strstr(svg, " width=\"");
	assert_non_null(p);
	assert_int_equal(sscanf(p, " width=\"%u\" height=\"%u\"", &w, &h), 2);
	assert_int_equal(w, 960);
	assert_true(h > 200 && h < 20000);

	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s/%s.svg'", dir, name);
	if (system(cmd) != 0)
		fail_msg("%s.svg is not well-formed XML (or xmllint from "
			 "libxml2-utils is missing: scripts/install-deps.sh)",
			 name);
	snprintf(cmd, sizeof(cmd), "rsvg-convert -o '%s/%s.png' '%s/%s.svg'",
		 dir, name, dir, name);
	if (system(cmd) != 0)
		fail_msg("rsvg-convert could not render %s.svg (librsvg2-bin "
			 "from scripts/install-deps.sh)", name);
	snprintf(cmd, sizeof(cmd), "%s/%s.png", dir, name);
	f = fopen(cmd, "rb");
	assert_non_null(f);
	assert_int_equal(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	/* more than a blank page's worth of compressed pixels */
	assert_true(ftell(f) > 4000);
	fclose(f);
	assert_memory_equal(hdr, png_sig, sizeof(png_sig));
	assert_memory_equal(hdr + 12, "IHDR", 4);
	assert_int_equal(be32(hdr + 16), w);
	assert_int_equal(be32(hdr + 20), h);
}

static void test_accepted(void **state)
{
	static const char *const names[] = { "m1", "m2", "m3" };
	json_t *doc = export_doc(names, 3, 1);
	char *svg = draw(doc, "accepted");

	(void)state;
	check_picture(svg, "accepted");
	assert_non_null(strstr(svg, ">accepted</tspan>"));
	/* three lanes, each on its own clock from its own cut */
	for (int i = 0; i < 3; i++) {
		char want[80];

		snprintf(want, sizeof(want), "<title>cut at %d000000000 ns "
			 "(this member's CLOCK_MONOTONIC)", 5 * (i + 1));
		assert_non_null(strstr(svg, want));
	}
	assert_non_null(strstr(svg, "lanes are not aligned in time"));
	/* the accepted window, tau_min, both acks */
	assert_non_null(strstr(svg, ">12.0 \u00b5s</text>"));
	assert_non_null(strstr(svg, ">\u03c4_min</text>"));
	assert_non_null(strstr(svg, "<title>gateway gw1: epoch 20 to 21, "
			       "advanced"));
	assert_non_null(strstr(svg, "switched at 9000001 ns on its own clock"));
	/* flags and bypass as badges; in flight and late in the table */
	assert_non_null(strstr(svg, ">untracked</text>"));
	assert_non_null(strstr(svg, ">tx_unstamped</text>"));
	assert_non_null(strstr(svg, ">bypass 2</text>"));
	assert_non_null(strstr(svg, "fill=\"#1565c0\">3</text>"));
	assert_non_null(strstr(svg, "fill=\"#ef6c00\">1</text>"));
	free(svg);
	json_decref(doc);
}

static void test_retried(void **state)
{
	static const char *const names[] = { "m1", "m2", "m3", "m4" };
	json_t *doc = export_doc(names, 4, 3);
	char *svg = draw(doc, "retried");

	(void)state;
	check_picture(svg, "retried");
	assert_non_null(strstr(svg, "3 attempt(s)"));
	assert_non_null(strstr(svg, "#1 epoch 21 <tspan fill=\"#c62828\" "
			       "font-weight=\"bold\">rejected</tspan>"));
	assert_non_null(strstr(svg, "#2 epoch 22 "));
	assert_non_null(strstr(svg, "#3 epoch 23 <tspan fill=\"#2e7d32\" "
			       "font-weight=\"bold\">accepted</tspan>"));
	assert_non_null(strstr(svg, ">45.0 \u00b5s</text>"));
	/* the reason, escaped */
	assert_non_null(strstr(svg, "tau_min 33000 ns &lt;&amp;&quot;&gt;"));
	free(svg);
	json_decref(doc);
}

/* names are input: escaped everywhere, long ones cut with a tooltip */
static void test_hostile_names(void **state)
{
	static const char *const names[] = {
		"a<&\">b", "</text><script>x</script>",
		"a-member-name-far-too-long-for-its-lane.example.org",
		"ctl\x01\x1f" "char \xef\xbf\xbe",
	};
	json_t *doc = export_doc(names, 4, 1);
	char *svg = draw(doc, "names");

	(void)state;
	check_picture(svg, "names");
	assert_null(strstr(svg, "a<&"));
	assert_null(strstr(svg, "<script"));
	assert_non_null(strstr(svg, ">a&lt;&amp;&quot;&gt;b</text>"));
	assert_non_null(strstr(svg, "<title>a-member-name-far-too-long-for-"
			       "its-lane.example.org</title>"
			       "a-member-name-far-\u2026</text>"));
	assert_non_null(strstr(svg, ">ctl??char ?</text>"));
	free(svg);
	json_decref(doc);
}

/* beyond 64 members the lanes are counted, not drawn */
static void test_many(void **state)
{
	static char buf[70][8];
	const char *names[70];
	json_t *doc;
	char *svg;

	(void)state;
	for (int i = 0; i < 70; i++) {
		snprintf(buf[i], sizeof(buf[i]), "m%d", i);
		names[i] = buf[i];
	}
	doc = export_doc(names, 70, 1);
	svg = draw(doc, "many");
	check_picture(svg, "many");
	/* lane names are bold, the channel table's are not */
	assert_non_null(strstr(svg, "font-weight=\"bold\">m63</text>"));
	assert_null(strstr(svg, "font-weight=\"bold\">m64</text>"));
	assert_non_null(strstr(svg, "and 6 more members"));
	free(svg);
	json_decref(doc);
}

/* a rejected snapshot without report, and a document missing everything */
static void test_sparse(void **state)
{
	json_t *doc = json_pack("{s:s, s:i, s:s, s:s, s:[o], s:n, s:[]}",
				"schema", "beaver-snapshot/1", "id", 9, "state",
				"rejected", "reason", "every attempt rejected",
				"attempts", attempt(1, 30, 5000, 0, "timeout",
						    "gw2 did not acknowledge"),
				"report", "members");
	json_t *empty = json_object();
	char *svg = draw(doc, "rejected");

	(void)state;
	check_picture(svg, "rejected");
	assert_non_null(strstr(svg, ">no t1</text>"));
	assert_non_null(strstr(svg, "no report: the snapshot was not accepted"));
	free(svg);
	svg = draw(empty, "empty");
	check_picture(svg, "empty");
	assert_non_null(strstr(svg, "no attempt recorded"));
	free(svg);
	json_decref(doc);
	json_decref(empty);
}

/*
 * docs/NAME.svg is drawn from docs/NAME.json by this code: it must be what
 * svg.c draws now. BEAVER_SVG_UPDATE=1 writes it anew (then review the
 * picture and commit it). snapshot-example is hand-made; snapshot-demo is
 * what `make demo` wrote (build/demo/snapshot.{json,svg}), shown in the
 * README.
 */
static void check_docs_picture(const char *name)
{
	char svg_path[128], json_path[128];
	json_error_t err;
	json_t *doc;
	char *svg, *old = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(svg_path, sizeof(svg_path), "docs/%s.svg", name);
	snprintf(json_path, sizeof(json_path), "docs/%s.json", name);
	doc = json_load_file(json_path, 0, &err);
	if (!doc)
		fail_msg("%s: %s (run from the repository root)", json_path,
			 err.text);
	svg = draw(doc, name);
	check_picture(svg, name);
	if (getenv("BEAVER_SVG_UPDATE")) {
		f = fopen(svg_path, "w");
		assert_non_null(f);
		assert_int_equal(fputs(svg, f) >= 0 && fclose(f) == 0, 1);
	}
	f = fopen(svg_path, "r");
	if (!f)
		fail_msg("%s missing: BEAVER_SVG_UPDATE=1 writes it", svg_path);
	old = malloc(strlen(svg) + 2);
	assert_non_null(old);
	n = fread(old, 1, strlen(svg) + 1, f);
	fclose(f);
	old[n] = '\0';
	if (strcmp(old, svg))
		fail_msg("%s is not what svg.c draws now: BEAVER_SVG_UPDATE=1 "
			 "make unit, review it, commit it", svg_path);
	free(old);
	free(svg);
	json_decref(doc);
}

static void test_docs_example(void **state)
{
	(void)state;
	check_docs_picture("snapshot-example");
}

static void test_docs_demo(void **state)
{
	(void)state;
	check_docs_picture("snapshot-demo");
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_retried),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_docs_example),
		cmocka_unit_test(test_docs_demo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
