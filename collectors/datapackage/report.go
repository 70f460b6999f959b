package datapackage

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// plural names a table in messages as publishers name their files.
func plural(table string) string {
	switch table {
	case "service_at_location":
		return "service_at_locations"
	case "eligibility", "accessibility":
		return table
	case "address", "physical_address", "postal_address":
		return table + "es"
	case "service_taxonomy":
		return "service_taxonomy"
	}
	return table + "s"
}

// rows says "1 row" or "3 rows".
func rows(n int) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// drops is what one child table lost.
type drops struct {
	noKey, dangling, orphaned int
	noKeyX, danglingX, orphX  []string
}

func addExample(list []string, s string) []string {
	if len(list) < maxExamples && !slices.Contains(list, s) {
		list = append(list, s)
	}
	return list
}

// Account is what became of one table's rows: every row is loaded (emitted
// as a record, or joined into one) or dropped with a warning saying why.
type Account struct {
	Table   string
	Rows    int
	Loaded  int
	Dropped int
}

// summary is one per-table warning.
type summary struct{ kind, msg string }

// report warns of each dropped child row (rowWarn), summarises, one warning
// per table and kind, what could not be loaded, and accounts for every row
// of every table read.
func (j *joiner) report() ([]summary, []Account) {
	var out []summary
	var accts []Account
	names := make([]string, 0, len(j.t))
	for n := range j.t {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t := j.t[name]
		if t.noID > 0 {
			out = append(out, summary{WarnMissingID, fmt.Sprintf("%s: %d of %d rows have no id and were not loaded (%s)", plural(name), t.noID, t.rows, strings.Join(t.noIDx, ", "))})
		}
		if name == "service" || name == "organization" || name == "location" {
			loaded := len(j.usedOrg)
			switch name {
			case "service":
				loaded = len(j.usedSvc)
			case "location":
				loaded = len(j.usedLoc)
			}
			dups, extra := 0, []string(nil)
			for id, offs := range t.ids {
				if len(offs) > 1 {
					dups += len(offs) - 1
					extra = append(extra, id)
				}
			}
			if dups > 0 {
				sort.Strings(extra)
				if len(extra) > maxExamples {
					extra = extra[:maxExamples]
				}
				out = append(out, summary{WarnDuplicateID, fmt.Sprintf("%s: %d rows repeat an id already used; only the first row of each id is loaded (e.g. id %s)", plural(name), dups, strings.Join(extra, ", "))})
			}
			accts = append(accts, Account{Table: name, Rows: t.rows, Loaded: loaded, Dropped: t.noID + dups})
		}
		fks := owners[name]
		if len(fks) == 0 {
			continue
		}
		if len(t.used) == t.rows {
			accts = append(accts, Account{Table: name, Rows: t.rows, Loaded: t.rows})
			continue
		}
		// Name only the keys the table has.
		var present []string
		for _, fk := range fks {
			for _, seg := range t.segs {
				if slices.Contains(seg.cols, fk) {
					present = append(present, fk)
					break
				}
			}
		}
		keyNames := strings.Join(present, "/")
		var d drops
		for _, seg := range t.segs {
			n := 0
			err := j.sp.scan(seg, func(off int64, row map[string]string) error {
				n++
				if _, ok := t.used[off]; ok {
					return nil
				}
				var keys []string
				for _, fk := range fks {
					if v := row[fk]; v != "" {
						keys = append(keys, fk+" "+v)
					}
				}
				id := row["id"]
				if id == "" {
					id = fmt.Sprintf("row %d", n)
				}
				switch {
				case len(keys) == 0:
					d.noKey++
					d.noKeyX = addExample(d.noKeyX, fmt.Sprintf("row %d", n))
					j.rowWarn(seg.src.URL, id, fmt.Sprintf("%s %s has no %s; dropped", name, id, keyNames))
				case j.owner(name, row) == "":
					d.dangling++
					d.danglingX = addExample(d.danglingX, strings.Join(keys, "/"))
					j.rowWarn(seg.src.URL, id, fmt.Sprintf("%s %s: %s names no row of the package; dropped", name, id, strings.Join(keys, ", ")))
				default:
					d.orphaned++
					d.orphX = addExample(d.orphX, strings.Join(keys, "/"))
					j.rowWarn(seg.src.URL, id, fmt.Sprintf("%s %s: %s was itself not joined; dropped", name, id, strings.Join(keys, ", ")))
				}
				return nil
			})
			if err != nil {
				out = append(out, summary{WarnUnjoinedRows, fmt.Sprintf("%s: could not re-read the table to count its unjoined rows: %v", plural(name), err)})
			}
		}
		lost := d.noKey + d.dangling + d.orphaned
		accts = append(accts, Account{Table: name, Rows: t.rows, Loaded: len(t.used), Dropped: lost})
		if lost == 0 {
			continue
		}
		var parts []string
		if d.dangling > 0 {
			parts = append(parts, fmt.Sprintf("%d %s a %s that is not in the package (e.g. %s)", d.dangling, verb(d.dangling, "names", "name"), keyNames, strings.Join(d.danglingX, ", ")))
		}
		if d.noKey > 0 {
			parts = append(parts, fmt.Sprintf("%d %s no %s at all (e.g. %s)", d.noKey, verb(d.noKey, "has", "have"), keyNames, strings.Join(d.noKeyX, ", ")))
		}
		if d.orphaned > 0 {
			parts = append(parts, fmt.Sprintf("%d %s to rows that were themselves not joined (e.g. %s)", d.orphaned, verb(d.orphaned, "belongs", "belong"), strings.Join(d.orphX, ", ")))
		}
		out = append(out, summary{WarnUnjoinedRows, fmt.Sprintf("%s: %d of %d rows could not be joined and were dropped: %s", plural(name), lost, t.rows, strings.Join(parts, "; "))})
	}
	keys := make([]string, 0, len(j.refs))
	for k := range j.refs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r := j.refs[k]
		out = append(out, summary{WarnDanglingReference, fmt.Sprintf("%s: %s whose %s names no row of %s (e.g. %s); loaded without it", plural(r.table), rows(r.n), r.column, plural(r.parent), strings.Join(r.examples, ", "))})
	}
	return out, accts
}
