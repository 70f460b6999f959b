package runner

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name   string
		o      Outcome
		share  float64
		status string
		reason string
	}{
		{"clean", Outcome{Stats: warehouse.LoadStats{Loaded: 100}}, 0.5, StatusOK, ""},
		{"repairs do not degrade", Outcome{Stats: warehouse.LoadStats{Loaded: 100, Repaired: 4089}}, 0.5, StatusOK, ""},
		{"empty source that declares nothing", Outcome{}, 0.5, StatusOK, ""},
		{"declared but nothing arrived", Outcome{Declared: 4089}, 0.5, StatusFailed, "declares 4089 records but none arrived"},
		{"most records quarantined", Outcome{Stats: warehouse.LoadStats{Loaded: 40, Quarantined: 60}}, 0.5, StatusFailed, "60 of 100 records quarantined (60%, above quarantine_fail_share 50%)"},
		{"stricter share", Outcome{Stats: warehouse.LoadStats{Loaded: 80, Quarantined: 20}}, 0.1, StatusFailed, "above quarantine_fail_share 10%"},
		{"exactly the share is not above it", Outcome{Stats: warehouse.LoadStats{Loaded: 50, Quarantined: 50}}, 0.5, StatusDegraded, "50 of 100 records quarantined"},
		{"some quarantined", Outcome{Stats: warehouse.LoadStats{Loaded: 90, Quarantined: 10}}, 0.5, StatusDegraded, "10 of 100 records quarantined (10%)"},
		{"few quarantined", Outcome{Stats: warehouse.LoadStats{Loaded: 96, Quarantined: 4}}, 0.5, StatusOK, ""},
		{"fields lost", Outcome{Stats: warehouse.LoadStats{Loaded: 50, Unchanged: 50, RecordsWithDrops: 8}}, 0.5, StatusDegraded, "8 of 100 loaded records lost a field"},
		{"missing resources", Outcome{Stats: warehouse.LoadStats{Loaded: 10}, Warnings: map[string]int{collect.KindMissingResource: 11}}, 0.5, StatusDegraded, "11 declared resources missing"},
		{"one aggregated warning is quoted", Outcome{Stats: warehouse.LoadStats{Loaded: 4089}, Warnings: map[string]int{collect.KindMissingResource: 1},
			FirstWarning: map[string]string{collect.KindMissingResource: "missing_resource: 11 resources listed in datapackage.json are absent: contacts (contacts.csv), …"}}, 0.5,
			StatusDegraded, "missing_resource: 11 resources listed in datapackage.json are absent"},
		{"dangling keys and quarantine", Outcome{Stats: warehouse.LoadStats{Loaded: 9, Quarantined: 1}, Warnings: map[string]int{collect.KindDanglingKey: 2963, "other": 5}}, 0.5,
			StatusDegraded, "2963 dangling foreign keys; 1 of 10 records quarantined (10%)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, reason := Classify(c.o, c.share)
			if status != c.status || !strings.Contains(reason, c.reason) || (c.reason == "" && reason != "") {
				t.Errorf("Classify = %q, %q; want %q with %q", status, reason, c.status, c.reason)
			}
		})
	}
}

func TestKindOf(t *testing.T) {
	same := [][2]string{
		{`service 12: assured_date "01/13/2024" is not a date`, `service abc-77: assured_date "yesterday" is not a date`},
		{`row 5, column "URN": empty`, `row 9000, column "Name": empty`},
		{"https://a.example.org/x refused by the URL policy (host rule): not a configured host", "http://b.example.net/y?z=1 refused by the URL policy (host rule): not a configured host"},
		{"service_at_location a0jA000000BHNmwIAH names location L1, which is not in locations", "service_at_location 77 names location 0xff, which is not in locations"},
	}
	for _, p := range same {
		if a, b := collect.KindOf(p[0]), collect.KindOf(p[1]); a != b {
			t.Errorf("KindOf differs: %q → %q, %q → %q", p[0], a, p[1], b)
		}
	}
	if k := collect.KindOf("unjoined_rows: services_at_location: 2963 of 4000 rows name a location that is not in locations"); k != "unjoined_rows" {
		t.Errorf("prefixed kind read as %q", k)
	}
	if collect.KindOf("page 3 only repeats items") == collect.KindOf("total_items says 5 but the pages held 4 items") {
		t.Error("different problems share a kind")
	}
}

// However many distinct kinds a source produces, the runner tracks a bounded
// number; the rest share one kind.
func TestWarningKindsBounded(t *testing.T) {
	ws := newWarnings(nil, "p", "r", slog.New(slog.DiscardHandler))
	for i := 0; i < 3*maxKinds; i++ {
		ws.add(context.Background(), fmt.Sprintf("kind_%d", i), "", "", "x")
		if len(ws.buf) >= warnBatch-1 {
			ws.buf = ws.buf[:0] // no warehouse here: drop what would be written
		}
	}
	counts, _ := ws.byKind()
	if len(counts) != maxKinds+1 || counts[OtherKind] != 2*maxKinds || ws.total() != 3*maxKinds {
		t.Errorf("%d kinds tracked, %d in %s, %d in all", len(counts), counts[OtherKind], OtherKind, ws.total())
	}
}
