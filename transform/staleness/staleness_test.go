package staleness

import (
	"strings"
	"testing"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/internal/golden"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestGolden(t *testing.T) {
	r := &Rules{ReviewAfterDays: 365, AssuranceAfterDays: 90, Now: func() time.Time { return now }}
	golden.Records(t, func(recs []*schema.Record) {
		for _, rec := range recs {
			r.Apply(rec)
		}
	})
}

func TestThresholdsAreConfigurable(t *testing.T) {
	s := &schema.Service{ID: "x", Email: "a@b", AssuredDate: "2026-10-01"} // 53 days before now
	for _, c := range []struct {
		days int
		want bool
	}{{90, false}, {30, true}} {
		rec := &schema.Record{Kind: schema.KindService, Service: s}
		(&Rules{AssuranceAfterDays: c.days, ReviewAfterDays: 365, Now: func() time.Time { return now }}).Apply(rec)
		if got := len(rec.Flags) == 1 && rec.Flags[0].Flag == schema.FlagAssuranceOverdue; got != c.want {
			t.Errorf("assurance_after_days %d: flags %+v", c.days, rec.Flags)
		}
	}
}

func TestReportRules(t *testing.T) {
	rules := ReportRules{ReviewAfterDays: 365, ScheduleItems: 14}
	contact := func(r schema.SENReport) *schema.SENReport { r.SENCOEmail = "senco@school.example"; return &r }
	for _, tc := range []struct {
		name string
		rep  *schema.SENReport
		want []string // flag names, in order
		ev   string   // evidence of the first flag, when set
	}{
		{"current, complete, with a SENCO contact", contact(schema.SENReport{ReportDate: "2026-09-01", ReportDateSource: "text"}), nil, ""},
		{"undated", contact(schema.SENReport{ReportURL: "https://s.example/send"}), []string{schema.FlagReportUndated}, "https://s.example/send"},
		{"dated more than a year ago", contact(schema.SENReport{ReportDate: "2025-11-01", ReportDateSource: "text"}),
			[]string{schema.FlagReportStale}, "2025-11-01 (text)"},
		{"less than a year ago is not stale", contact(schema.SENReport{ReportDate: "2025-11-24", ReportDateSource: "text"}), nil, ""},
		{"old terms under a strong recent date", contact(schema.SENReport{ReportDate: "2026-09-01", ReportDateSource: "text", LegacyTerms: []string{"School Action"}}), nil, ""},
		{"old terms under only a Last-Modified date", contact(schema.SENReport{ReportDate: "2026-09-01", ReportDateSource: schema.ReportDateWeak, LegacyTerms: []string{"School Action", "statement"}}),
			[]string{schema.FlagReportStale}, "School Action, statement"},
		{"old terms and undated: both", contact(schema.SENReport{LegacyTerms: []string{"School Action Plus"}}),
			[]string{schema.FlagReportUndated, schema.FlagReportStale}, ""},
		{"stale by date: the terms add nothing", contact(schema.SENReport{ReportDate: "2020-01-01", ReportDateSource: schema.ReportDateWeak, LegacyTerms: []string{"statement"}}),
			[]string{schema.FlagReportStale}, "2020-01-01 (http_last_modified (weak))"},
		{"items missing", contact(schema.SENReport{ReportDate: "2026-09-01", ItemsMissing: []string{"complaints", "transition"}}),
			[]string{schema.FlagReportItemsMissing}, "complaints, transition"},
		{"SENCO named without contact", &schema.SENReport{ReportDate: "2026-09-01", SENCOName: "Ms Patel"},
			[]string{schema.FlagNoSENCOContact}, "SENCO Ms Patel named without an email or phone"},
		{"a phone is contact enough", &schema.SENReport{ReportDate: "2026-09-01", SENCOPhone: "023 9200 0000"}, nil, ""},
	} {
		got := rules.Flags(tc.rep, now)
		var names []string
		for _, f := range got {
			names = append(names, f.Flag)
			if f.Reason == "" {
				t.Errorf("%s: %s has no reason", tc.name, f.Flag)
			}
		}
		if strings.Join(names, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: flags %v, want %v", tc.name, names, tc.want)
			continue
		}
		if tc.ev != "" && got[0].Evidence != tc.ev {
			t.Errorf("%s: evidence %q, want %q", tc.name, got[0].Evidence, tc.ev)
		}
	}
	items := rules.Flags(&schema.SENReport{ReportDate: "2026-09-01", SENCOEmail: "x@y", ItemsMissing: []string{"a"}}, now)
	if len(items) != 1 || !strings.Contains(items[0].Reason, "1 of the 14 Schedule 1 items") {
		t.Errorf("items reason: %+v", items)
	}
}
