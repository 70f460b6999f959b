package archive

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type entry struct {
	name string
	data []byte
}

func makeZip(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(t *testing.T, b []byte, l Limits) (*Archive, error) {
	t.Helper()
	return NewReader(bytes.NewReader(b), int64(len(b)), "test.zip", l)
}

func limitWhat(err error) string {
	var le *LimitError
	if errors.As(err, &le) {
		return le.What
	}
	return ""
}

func TestOpenRefusesFromTheDirectory(t *testing.T) {
	zeros := bytes.Repeat([]byte{0}, 4<<20)
	cases := []struct {
		name    string
		entries []entry
		limits  Limits
		what    string
	}{
		{"too many entries", []entry{{"a", nil}, {"b", nil}, {"c", nil}}, Limits{MaxEntries: 2}, "entries"},
		{"entry too large", []entry{{"big.csv", bytes.Repeat([]byte("x,y\n"), 1000)}}, Limits{MaxEntryBytes: 1000}, "inflated size"},
		{"declared total too large", []entry{{"a", make([]byte, 600)}, {"b", make([]byte, 600)}}, Limits{MaxTotalBytes: 1000}, "inflated total"},
		{"ratio above floor", []entry{{"zeros", zeros}}, Limits{MaxRatio: 100}, "compression ratio"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := open(t, makeZip(t, c.entries...), c.limits)
			if !errors.Is(err, ErrLimit) || limitWhat(err) != c.what {
				t.Fatalf("err = %v, want a %q limit error", err, c.what)
			}
			if !strings.Contains(err.Error(), "test.zip") {
				t.Errorf("message %q does not name the archive", err)
			}
		})
	}
}

func TestSmallCompressibleEntryPasses(t *testing.T) {
	// 512 KB of one repeated tag: far above the ratio, but under the floor.
	xml := bytes.Repeat([]byte("<c/>"), 128<<10)
	a, err := open(t, makeZip(t, entry{"xl/styles.xml", xml}), Limits{MaxRatio: 10})
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.ReadAll("xl/styles.xml", 0)
	if err != nil || !bytes.Equal(b, xml) {
		t.Fatalf("ReadAll = %d bytes, %v", len(b), err)
	}
}

func TestRepeatedReadsCountEachTime(t *testing.T) {
	table := bytes.Repeat([]byte("id,name\n1,a\n"), 40_000) // 480 KB
	a, err := open(t, makeZip(t, entry{"data/services.csv", table}), Limits{MaxTotalBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := a.ReadAll("data/services.csv", 0); err != nil {
			t.Fatalf("read %d: %v", i+1, err)
		}
	}
	rc, err := a.Open("data/services.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	if limitWhat(err) != "inflated total" {
		t.Fatalf("third read: err = %v, want the inflated total limit", err)
	}
}

func TestReadCapsWhatTheDirectoryUnderstates(t *testing.T) {
	// The central directory claims 100 bytes; the stream inflates to 2 MB.
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	fw.Write(bytes.Repeat([]byte{'a'}, 2<<20))
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "liar.csv", Method: zip.Deflate,
		CompressedSize64: uint64(raw.Len()), UncompressedSize64: 100, CRC32: 0})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw.Bytes())
	zw.Close()
	a, err := open(t, buf.Bytes(), Limits{MaxEntryBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.ReadAll("liar.csv", 0)
	if err == nil {
		t.Fatalf("read %d bytes of an entry that lies about its size without error", len(b))
	}
}

func TestStreamingReadStopsAtEntryLimit(t *testing.T) {
	table := bytes.Repeat([]byte("0123456789"), 30_000) // 300 KB
	a, err := open(t, makeZip(t, entry{"t.csv", table}), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.ReadAll("t.csv", 1000)
	if limitWhat(err) != "inflated size" {
		t.Fatalf("err = %v, want the inflated size limit", err)
	}
}

func TestDuplicateNamesRefused(t *testing.T) {
	_, err := open(t, makeZip(t, entry{"datapackage.json", []byte("{}")}, entry{"datapackage.json", []byte(`{"resources":[]}`)}), Limits{})
	if err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Fatalf("err = %v, want a duplicate-entry refusal", err)
	}
}

func TestLookupAndMissing(t *testing.T) {
	a, err := open(t, makeZip(t, entry{"xl/sharedStrings.xml", []byte("<sst/>")}, entry{"dir/", nil}), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := a.Lookup("xl/sharedstrings.xml"); !ok || n != "xl/sharedStrings.xml" {
		t.Errorf("Lookup = %q, %v", n, ok)
	}
	if got := a.Names(); len(got) != 1 {
		t.Errorf("Names = %v, want the file only", got)
	}
	if _, err := a.Open("nope.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestOpenFromDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.zip")
	if err := os.WriteFile(path, makeZip(t, entry{"a.txt", []byte("hello")}), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := Open(path, "https://example.org/p.zip", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := a.ReadAll("a.txt", 0)
	if err != nil || string(b) != "hello" {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none.zip"), "none.zip", Limits{}); err == nil {
		t.Error("opening a missing file succeeded")
	}
	if _, err := open(t, []byte("not a zip"), Limits{}); err == nil || limitWhat(err) != "" {
		t.Errorf("garbage: err = %v, want a plain format error", err)
	}
}

func BenchmarkReadEntry(b *testing.B) {
	table := bytes.Repeat([]byte("id,name,description\n1,a,some text here\n"), 100_000)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("t.csv")
	w.Write(table)
	zw.Close()
	data := buf.Bytes()
	b.SetBytes(int64(len(table)))
	b.ReportAllocs()
	for b.Loop() {
		a, err := NewReader(bytes.NewReader(data), int64(len(data)), "bench.zip", Limits{})
		if err != nil {
			b.Fatal(err)
		}
		rc, err := a.Open("t.csv")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			b.Fatal(err)
		}
		rc.Close()
	}
}
