// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The Prometheus exposition (beaverd/metrics.c): every line is a comment
 * (# HELP / # TYPE) or a sample that the text format 0.0.4 accepts; every
 * family has exactly one HELP and one TYPE line, before its samples and
 * only once; names follow the conventions (beaver_ prefix, counters end
 * in _total, durations in seconds); label values are escaped; a
 * histogram's buckets are cumulative and end with +Inf = _count; the
 * values are the ones given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define MAX_FAMILIES 256

struct family {
	char name[128], type[16];
	bool help, samples;
};

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || (!first && c >= '0' && c <= '9');
}

static struct family *find(struct family *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].name, name))
			return &f[i];
	return NULL;
}

/* the family a sample belongs to: _bucket/_sum/_count of a histogram */
static struct family *family_of(struct family *f, size_t n, const char *name)
{
	static const char *const sfx[] = { "_bucket", "_sum", "_count" };
	struct family *r = find(f, n, name);
	char base[128];

	if (r)
		return r;
	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(name), sl = strlen(sfx[i]);

		if (l > sl && !strcmp(name + l - sl, sfx[i]) && l - sl < sizeof(base)) {
			memcpy(base, name, l - sl);
			base[l - sl] = '\0';
			r = find(f, n, base);
			if (r && (!strcmp(r->type, "histogram") ||
				  (!strcmp(r->type, "summary") && i > 0)))
				return r;
		}
	}
	return NULL;
}

/* a label set {k="v",...}: keys are names, values escaped; p after '}' */
static const char *labels(const char *p)
{
	assert_int_equal(*p, '{');
	p++;
	while (*p != '}') {
		assert_true(name_char(*p, true));
		while (name_char(*p, false))
			p++;
		assert_int_equal(*p++, '=');
		assert_int_equal(*p++, '"');
		while (*p != '"') {
			assert_true(*p && *p != '\n');
			if (*p == '\\') {
				p++;
				assert_true(*p == '\\' || *p == '"' || *p == 'n');
			}
			p++;
		}
		p++;
		if (*p == ',')
			p++;
		else
			assert_int_equal(*p, '}');
	}
	return p + 1;
}

/*
 * Check the whole text's grammar and conventions; returns the number of
 * samples.
 */
static size_t check_exposition(const char *text)
{
	static struct family f[MAX_FAMILIES];
	size_t nf = 0, samples = 0;
	char *copy = strdup(text), *save = NULL;

	assert_non_null(copy);
	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	memset(f, 0, sizeof(f));
	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[128];
		size_t n = 0;
		const char *p = line;
		struct family *fam;

		if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7)) {
			bool help = line[2] == 'H';

			p = line + 7;
			while (name_char(*p, n == 0) && n < sizeof(name) - 1)
				name[n++] = *p++;
			name[n] = '\0';
			assert_int_equal(*p, ' ');
			assert_true(n > 0);
			fam = find(f, nf, name);
			if (!fam) {
				assert_true(nf < MAX_FAMILIES);
				fam = &f[nf++];
				snprintf(fam->name, sizeof(fam->name), "%s", name);
			}
			/* HELP and TYPE before any sample, each once */
			assert_false(fam->samples);
			if (help) {
				assert_false(fam->help);
				fam->help = true;
			} else {
				assert_string_equal(fam->type, "");
				assert_true(fam->help);	/* ours: HELP first */
				snprintf(fam->type, sizeof(fam->type), "%s", p + 1);
				assert_true(!strcmp(fam->type, "counter") ||
					    !strcmp(fam->type, "gauge") ||
					    !strcmp(fam->type, "histogram") ||
					    !strcmp(fam->type, "summary"));
			}
			/* the conventions */
			assert_memory_equal(name, "beaver_", 7);
			if (!help && !strcmp(fam->type, "counter"))
				assert_non_null(strstr(name, "_total"));
			if (!help && strcmp(fam->type, "counter"))
				assert_null(strstr(name, "_total"));
			continue;
		}
		assert_int_not_equal(line[0], '#');
		while (name_char(*p, n == 0) && n < sizeof(name) - 1)
			name[n++] = *p++;
		name[n] = '\0';
		fam = family_of(f, nf, name);
		if (!fam)
			fail_msg("sample '%s' before its family's HELP/TYPE", line);
		assert_string_not_equal(fam->type, "");
		fam->samples = true;
		if (*p == '{')
			p = labels(p);
		assert_int_equal(*p++, ' ');
		/* a value: digits, optional fraction (ours never need more) */
		assert_true(*p >= '0' && *p <= '9');
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '.') {
			p++;
			assert_true(*p >= '0' && *p <= '9');
			while (*p >= '0' && *p <= '9')
				p++;
		}
		assert_int_equal(*p, '\0');
		samples++;
	}
	for (size_t i = 0; i < nf; i++) {
		assert_true(f[i].help);
		assert_string_not_equal(f[i].type, "");
	}
	free(copy);
	return samples;
}

static char *render(const struct bvm_values *v)
{
	struct bvm_buf b = { 0 };

	assert_int_equal(bvm_render(v, &b), 0);
	assert_non_null(b.p);
	assert_int_equal(strlen(b.p), b.len);
	return b.p;
}

static void test_minimal(void **state)
{
	struct bvm_values v = { .node = "m1", .version = "0.1.0",
				.roles = "member", .group = 7 };
	char *t;

	(void)state;
	t = render(&v);
	check_exposition(t);
	assert_non_null(strstr(t, "beaver_build_info{version=\"0.1.0\","
			       "node=\"m1\",roles=\"member\",group=\"7\"} 1\n"));
	/* no module, no coordinator: their families are absent */
	assert_null(strstr(t, "beaver_epoch"));
	assert_null(strstr(t, "beaver_tau_min_seconds"));
	free(t);
}

static const struct bvm_kv stats[] = {
	{ "gw_stamped", 12 }, { "bypass", 3 }, { "late", 2 },
	{ "flow_retired", 40 },
};
static const struct bvm_kv objs[] = {
	{ "flows", 5 }, { "records", 2 },
};

static void full(struct bvm_values *v, struct bvm_hist *h)
{
	memset(v, 0, sizeof(*v));
	memset(h, 0, sizeof(*h));
	v->node = "gw\"1\\\n";	/* escaped in the label */
	v->version = "0.1.0";
	v->roles = "gateway,coordinator";
	v->group = 255;
	v->received = 100;
	v->sent = 99;
	v->busy_turns = 1;
	v->drops[0] = (struct bvm_kv){ "mac", 4 };
	v->drops[1] = (struct bvm_kv){ "replay", 18446744073709551615ull };
	v->n_drops = 2;
	v->reloads_applied = 2;
	v->reloads_invalid = 1;
	v->reload_ns = 1700000000123456789ull;
	v->module = true;
	v->gw_epoch = 4000000000u;
	v->member_epoch = 0;
	v->complete_epoch = 9;
	v->stats = stats;
	v->n_stats = 4;
	v->objs = objs;
	v->n_objs = 2;
	v->coordinator = true;
	v->active = true;
	v->tau_min_ns = 33000;
	v->outstanding = 1;
	v->att_accepted = 3;
	v->att_rejected = 1;
	v->att_timeout = 2;
	v->snap_accepted = 3;
	v->snap_failed = 1;
	bvm_hist_add(h, 5000);		/* <= 10 us */
	bvm_hist_add(h, 10000);		/* = 10 us: in le="0.00001" */
	bvm_hist_add(h, 30000);		/* <= 50 us */
	bvm_hist_add(h, 9000000000ull);	/* past 2.5 s: +Inf only */
	v->bound = h;
	v->collect_sum_ns = 1500000000ull;
	v->collect_n = 3;
	v->peers_gateways = 2;
	v->peers_members = 3;
	v->peers_removed = 1;
}

static void test_full(void **state)
{
	struct bvm_values v;
	struct bvm_hist h;
	char *t;

	(void)state;
	full(&v, &h);
	t = render(&v);
	check_exposition(t);
	assert_non_null(strstr(t, "node=\"gw\\\"1\\\\\\n\""));
	assert_non_null(strstr(t, "beaver_control_received_datagrams_total 100\n"));
	assert_non_null(strstr(t, "beaver_control_dropped_datagrams_total{reason=\"mac\"} 4\n"));
	assert_non_null(strstr(t, "beaver_control_dropped_datagrams_total{reason=\"replay\"} 18446744073709551615\n"));
	assert_non_null(strstr(t, "beaver_config_reloads_total{result=\"applied\"} 2\n"));
	assert_non_null(strstr(t, "beaver_config_reloads_total{result=\"invalid\"} 1\n"));
	assert_non_null(strstr(t, "beaver_config_last_reload_timestamp_seconds 1700000000.123456789\n"));
	assert_non_null(strstr(t, "beaver_epoch{role=\"gateway\"} 4000000000\n"));
	assert_non_null(strstr(t, "# TYPE beaver_module_bypass_total counter\nbeaver_module_bypass_total 3\n"));
	assert_non_null(strstr(t, "beaver_module_late_total 2\n"));
	assert_non_null(strstr(t, "beaver_module_flow_retired_total 40\n"));
	assert_non_null(strstr(t, "beaver_module_objects{kind=\"records\"} 2\n"));
	assert_non_null(strstr(t, "beaver_tau_min_seconds 0.000033000\n"));
	assert_non_null(strstr(t, "beaver_snapshots_total{state=\"accepted\"} 3\n"));
	assert_non_null(strstr(t, "beaver_snapshots_total{state=\"rejected\"} 0\n"));
	assert_non_null(strstr(t, "beaver_snapshot_attempts_total{verdict=\"timeout\"} 2\n"));
	assert_non_null(strstr(t, "beaver_snapshot_collect_seconds_sum 1.500000000\n"
			       "beaver_snapshot_collect_seconds_count 3\n"));
	assert_non_null(strstr(t, "beaver_peers{role=\"removed\"} 1\n"));
	/* the histogram: cumulative, le in seconds, +Inf = count */
	assert_non_null(strstr(t, "# TYPE beaver_ogm_bound_seconds histogram\n"
			       "beaver_ogm_bound_seconds_bucket{le=\"0.00001\"} 2\n"
			       "beaver_ogm_bound_seconds_bucket{le=\"0.000025\"} 2\n"
			       "beaver_ogm_bound_seconds_bucket{le=\"0.00005\"} 3\n"));
	assert_non_null(strstr(t, "beaver_ogm_bound_seconds_bucket{le=\"1\"} 3\n"
			       "beaver_ogm_bound_seconds_bucket{le=\"2.5\"} 3\n"
			       "beaver_ogm_bound_seconds_bucket{le=\"+Inf\"} 4\n"
			       "beaver_ogm_bound_seconds_sum 9.000045000\n"
			       "beaver_ogm_bound_seconds_count 4\n"));
	free(t);
}

/* buckets never decrease, whatever was added */
static void test_hist_monotonic(void **state)
{
	struct bvm_hist h = { 0 };
	uint64_t sum = 0, v = 1;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		v = v * 6364136223846793005ull + 1442695040888963407ull;
		bvm_hist_add(&h, (v >> 33) % 4000000000ull);
	}
	for (size_t i = 0; i <= BVM_BUCKETS; i++)
		sum += h.count[i];
	assert_int_equal(sum, 2000);
	assert_int_equal(h.n, 2000);
	for (size_t i = 1; i < BVM_BUCKETS; i++)
		assert_true(bvm_bucket_ns[i] > bvm_bucket_ns[i - 1]);
}

/* a module counter name that is not a metric name is made one */
static void test_odd_names(void **state)
{
	static const struct bvm_kv odd[] = { { "a-b.c", 1 } };
	struct bvm_values v = { .node = "", .version = "", .roles = "",
				.module = true, .stats = odd, .n_stats = 1 };
	char *t;

	(void)state;
	t = render(&v);
	check_exposition(t);
	assert_non_null(strstr(t, "beaver_module_a_b_c_total 1\n"));
	free(t);
}

/* the HELP text escapes backslash and newline */
static void test_help_escape(void **state)
{
	struct bvm_buf b = { 0 };

	(void)state;
	bvm_family(&b, "beaver_x", "gauge", "a\\b\nc");
	bvm_sample(&b, "beaver_x", (const char *const[]){ "k", "v", NULL }, 7);
	assert_string_equal(b.p, "# HELP beaver_x a\\\\b\\nc\n"
			    "# TYPE beaver_x gauge\nbeaver_x{k=\"v\"} 7\n");
	bvm_buf_free(&b);
}

/* a file of the repository, read whole (run from the root or tests/unit) */
static char *repo_file(const char *path)
{
	char full[256], *buf = NULL;
	size_t len = 0;
	FILE *f = NULL, *m;
	int c;

	for (int i = 0; i < 2 && !f; i++) {
		snprintf(full, sizeof(full), "%s%s", i ? "../../" : "", path);
		f = fopen(full, "r");
	}
	assert_non_null(f);
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/*
 * docs/metrics.md lists every family beaverd renders (the module's
 * counters as beaver_module_NAME_total), and the sample dashboard uses
 * only metrics that exist.
 */
static void test_docs_cover(void **state)
{
	struct bvm_values v;
	struct bvm_hist h;
	char *t, *doc = repo_file("docs/metrics.md");
	char *dash = repo_file("docs/grafana-dashboard.json");
	char name[160], quoted[170];

	(void)state;
	full(&v, &h);
	t = render(&v);
	for (const char *p = strstr(t, "# TYPE "); p; p = strstr(p + 1, "# TYPE ")) {
		size_t n = strcspn(p + 7, " ");

		snprintf(name, sizeof(name), "%.*s", (int)n, p + 7);
		if (!strncmp(name, "beaver_module_", 14) &&
		    strcmp(name, "beaver_module_objects") != 0)
			continue;
		snprintf(quoted, sizeof(quoted), "`%s`", name);
		if (!strstr(doc, quoted))
			fail_msg("%s is not in docs/metrics.md", name);
	}
	for (const char *p = strstr(dash, "beaver_"); p; p = strstr(p + 1, "beaver_")) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz_0123456789");
		char want[180];

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		if (!strncmp(name, "beaver_module_", 14) &&
		    strcmp(name, "beaver_module_objects") != 0)
			continue;	/* the module's counters, by name */
		snprintf(want, sizeof(want), "\n%s", name);
		if (!strstr(t, want))
			fail_msg("the dashboard's %s is not rendered", name);
	}
	free(t);
	free(doc);
	free(dash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_hist_monotonic),
		cmocka_unit_test(test_odd_names),
		cmocka_unit_test(test_help_escape),
		cmocka_unit_test(test_docs_cover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
