package afterrun

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
	"github.com/localoffer/localoffer/transform/match"
)

// jsonOnly hides the embedded driver's QueryRaw: the matcher then reads
// through the JSON rows every driver has (the ClickHouse server's path, and
// the matcher's only path before RowBinary).
type jsonOnly struct{ warehouse.Conn }

// awkwardRecords writes records of three pipelines with what a decoder can
// get wrong: quotes, backslashes, tabs, newlines and non-ASCII in names,
// empty and NULL values, identifiers, coordinates on some locations only,
// children in another pipeline than their organisation, organisations with
// no children, and updates (a newer version of an id, renamed and moved).
func awkwardRecords(t *testing.T, w *warehouse.Warehouse) (updated uint64) {
	t.Helper()
	ctx := context.Background()
	names := `['Harbour School','The Harbour School','Tipner "Youth" Project','St Mary''s C of E Primary','Ysgol Gymraeg — Bro Morgannwg',
  'Back\\slash Club','Tab\there','Line\nbreak Centre','Saturday Sensory Club','Saturday Sensory Club (Portsmouth)','','Ñandú Nursery']`
	stmts := []string{
		fmt.Sprintf(`INSERT INTO organizations (id, pipeline, run_id, name, website, la_code, identifiers, fetched_at, content_hash, _version)
SELECT concat(['dir','gias','prov'][number %% 3 + 1], '/org/', toString(number)), ['dir','gias','prov'][number %% 3 + 1], 'r1',
  %[1]s[number %% 12 + 1], if(number %% 4 = 0, 'https://www.harbour.example.org/about', ''),
  if(number %% 5 = 0, '', 'E06000044'),
  multiIf(number %% 6 = 0, ['GB-URN:' || toString(116000 + intDiv(number, 6))], number %% 6 = 1, ['GB-CHC:' || toString(1000 + number), 'other:x'], CAST([] AS Array(String))),
  now64(3), toString(number), 100 FROM numbers(60)`, names),
		fmt.Sprintf(`INSERT INTO services (id, pipeline, run_id, name, status, organization_id, la_code, postcode, url, fetched_at, content_hash, _version)
SELECT concat(['dir','gias','prov'][number %% 3 + 1], '/svc/', toString(number)), ['dir','gias','prov'][number %% 3 + 1], 'r1',
  %[1]s[number %% 12 + 1], 'active', if(number %% 7 = 0, '', concat(['dir','gias','prov'][(number + 1) %% 3 + 1], '/org/', toString(number %% 50))),
  'E06000044', ['PO3 6RH','po2 8qr','PO4 9QS','','PO4','not a postcode'][number %% 6 + 1],
  if(number %% 3 = 0, concat('https://club', toString(number %% 4), '.example.org/s'), ''), now64(3), toString(number), 100 FROM numbers(90)`, names),
		fmt.Sprintf(`INSERT INTO locations (id, pipeline, run_id, organization_id, name, location_type, postcode, latitude, longitude, la_code, fetched_at, content_hash, _version)
SELECT concat(['dir','gias','prov'][number %% 3 + 1], '/loc/', toString(number)), ['dir','gias','prov'][number %% 3 + 1], 'r1',
  concat(['dir','gias','prov'][number %% 3 + 1], '/org/', toString(number %% 40)), %[1]s[number %% 12 + 1], 'physical',
  ['PO3 6RH','PO2 8QR','PO4 9QS',''][number %% 4 + 1],
  if(number %% 3 = 0, NULL, 50.8 + number / 10000), if(number %% 3 = 0 OR number %% 5 = 0, NULL, -1.07 - number / 10000),
  'E06000044', now64(3), toString(number), 100 FROM numbers(70)`, names),
		// Updates: newer versions of some ids, renamed and moved.
		`INSERT INTO services (id, pipeline, run_id, name, status, organization_id, la_code, postcode, url, fetched_at, content_hash, _version)
SELECT id, pipeline, 'r2', concat(name, ' (renamed)'), status, organization_id, la_code, 'PO1 2AB', url, fetched_at, 'x', 200 FROM services WHERE _version = 100 AND toUInt32(splitByChar('/', id)[3]) % 10 = 0`,
		`INSERT INTO organizations (id, pipeline, run_id, name, website, la_code, identifiers, fetched_at, content_hash, _version)
SELECT id, pipeline, 'r2', concat(name, ' Trust'), 'https://new.example.org/', la_code, identifiers, fetched_at, 'x', 200 FROM organizations WHERE _version = 100 AND toUInt32(splitByChar('/', id)[3]) % 9 = 0`,
		`INSERT INTO locations (id, pipeline, run_id, organization_id, name, location_type, postcode, latitude, longitude, la_code, fetched_at, content_hash, _version)
SELECT id, pipeline, 'r2', organization_id, name, location_type, 'PO5 1AA', 50.79, -1.08, la_code, fetched_at, 'x', 200 FROM locations WHERE _version = 100 AND toUInt32(splitByChar('/', id)[3]) % 8 = 0`,
	}
	for _, s := range stmts {
		if err := w.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return 150
}

type readEntity struct {
	Kind    match.Kind
	Entity  match.Entity
	Version uint64
}

func readEverything(t *testing.T, m *Matcher, w *warehouse.Warehouse, since uint64) map[string]readEntity {
	t.Helper()
	var mu sync.Mutex
	out := map[string]readEntity{}
	err := m.readAll(context.Background(), w, since, func(k match.Kind, e match.Entity, v uint64) {
		// Aggregated arrays come in the engine's order, which is not part of the result.
		slices.Sort(e.Postcodes)
		slices.Sort(e.Domains)
		slices.Sort(e.Keys)
		slices.SortFunc(e.Points, func(a, b match.Point) int { return cmp.Or(cmp.Compare(a.Lat, b.Lat), cmp.Compare(a.Lon, b.Lon)) })
		mu.Lock()
		defer mu.Unlock()
		key := string(k) + " " + e.ID
		if _, dup := out[key]; dup {
			t.Errorf("%s read twice", key)
		}
		out[key] = readEntity{k, e, v}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRowBinaryReadMatchesJSONRead: the RowBinary reader yields exactly the
// entities and versions the JSON reader does, for the whole warehouse and
// for the changes since a watermark, and a first pass built from either
// assigns every record alike.
func TestRowBinaryReadMatchesJSONRead(t *testing.T) {
	w := whtest.New(t)
	updated := awkwardRecords(t, w)
	viaJSON := warehouse.New(jsonOnly{w.Conn}, w.Layout)
	if _, ok := viaJSON.Conn.(warehouse.RawQuerier); ok {
		t.Fatal("the JSON-only connection still passes output through")
	}
	m := &Matcher{Threshold: 0.85, Now: time.Now}
	for _, since := range []uint64{0, updated} {
		bin, js := readEverything(t, m, w, since), readEverything(t, m, viaJSON, since)
		if len(bin) == 0 {
			t.Fatalf("since %d: nothing read", since)
		}
		if !reflect.DeepEqual(bin, js) {
			for k, b := range bin {
				if !reflect.DeepEqual(b, js[k]) {
					t.Errorf("since %d, %s:\n rowbinary %+v\n json      %+v", since, k, b, js[k])
				}
			}
			t.Fatalf("since %d: %d records by RowBinary, %d by JSON, not equal", since, len(bin), len(js))
		}
		if since == 0 {
			// the decoder saw every awkward value
			var names, points, keys int
			for _, r := range bin {
				if strings.ContainsAny(r.Entity.Name, "\"\\\t\nÑ—") {
					names++
				}
				points += len(r.Entity.Points)
				keys += len(r.Entity.Keys)
			}
			if names == 0 || points == 0 || keys == 0 {
				t.Fatalf("the data lacks awkward names (%d), points (%d) or keys (%d)", names, points, keys)
			}
		}
	}
	assign := func(w *warehouse.Warehouse) (map[string]match.Assignment, int) {
		st := &matchState{}
		m.newIndexes(st)
		if err := m.restore(context.Background(), w, st, false, 0); err != nil {
			t.Fatal(err)
		}
		out := map[string]match.Assignment{}
		grouped := 0
		for _, k := range kinds {
			ps := st.idx[k].Pass()
			grouped += ps.Grouped
			for _, a := range ps.Changed {
				out[string(k)+" "+a.ID] = a
			}
		}
		return out, grouped
	}
	bin, grouped := assign(w)
	js, _ := assign(viaJSON)
	if grouped == 0 {
		t.Fatal("nothing matched: the comparison says nothing")
	}
	if !reflect.DeepEqual(bin, js) {
		t.Errorf("assignments differ:\n rowbinary %v\n json      %v", bin, js)
	}
}

// TestBinReaderRejectsDamage: a row cut short or a length past the limits is
// an error naming the query, not a zero record.
func TestBinReaderRejectsDamage(t *testing.T) {
	var row bytes.Buffer
	str := func(s string) { row.WriteByte(byte(len(s))); row.WriteString(s) }
	for _, s := range []string{"dir/svc/1", "dir", "Harbour School", "dir/org/1", "E06000044", "PO3 6RH"} {
		str(s)
	}
	row.Write([]byte{1, 1})                     // two NULL coordinates
	row.Write([]byte{200, 0, 0, 0, 0, 0, 0, 0}) // version 200
	whole := row.Bytes()
	b := newBinReader(bytes.NewReader(whole))
	var r recordMatchRow
	decodeRecordRow(b, &r)
	if b.err != nil || r.ID != "dir/svc/1" || r.Postcode != "PO3 6RH" || r.Lat != nil || r.Version != 200 {
		t.Fatalf("whole row: %+v, %v", r, b.err)
	}
	b = newBinReader(bytes.NewReader(whole[:len(whole)-3]))
	decodeRecordRow(b, &recordMatchRow{})
	if !errors.Is(b.err, io.ErrUnexpectedEOF) {
		t.Errorf("a row cut short: %v", b.err)
	}
	b = newBinReader(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0x7f}))
	if s := b.str(); s != "" || b.err == nil {
		t.Errorf("a string of 34 GB: %q, %v", s, b.err)
	}
}

// TestChunkPipeBoundsWhatWaits: the writer blocks once limit bytes are
// unread, the reader sees every byte in order, and a reader that gives up
// fails the writer's next write.
func TestChunkPipeBoundsWhatWaits(t *testing.T) {
	p := newChunkPipe(10)
	wrote := make(chan int, 10)
	go func() {
		for i := range 5 {
			if _, err := p.Write([]byte(fmt.Sprintf("chunk%d", i))); err != nil {
				t.Error(err)
			}
			wrote <- i
		}
		p.CloseWrite(nil)
	}()
	<-wrote
	select {
	case i := <-wrote:
		t.Fatalf("chunk %d was queued past the limit", i)
	case <-time.After(50 * time.Millisecond):
	}
	got, err := io.ReadAll(p)
	if err != nil || string(got) != "chunk0chunk1chunk2chunk3chunk4" {
		t.Fatalf("read %q, %v", got, err)
	}
	q := newChunkPipe(1)
	q.Write([]byte("x"))
	stop := errors.New("reader stopped")
	go q.CloseRead(stop)
	if _, err := q.Write([]byte("y")); !errors.Is(err, stop) {
		t.Errorf("write after the reader stopped: %v", err)
	}
	boom := errors.New("engine failed")
	r := newChunkPipe(10)
	r.CloseWrite(boom)
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, boom) {
		t.Errorf("the reader did not see the engine's error: %v", err)
	}
}
