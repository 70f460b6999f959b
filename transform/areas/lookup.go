// Package areas derives area codes (local authority GSS and DfE codes, ward,
// LSOA) for records: from a postcode through an ONS Postcode Directory style
// lookup, from coordinates through the nearest live postcode centroid, from a
// service's service_area, or from the pipeline's default area.
package areas

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/internal/sheet"
)

// Area is what a postcode tells.
type Area struct {
	Postcode string // normalised, "PO1 2AB"
	// LA is the GSS code of the local authority responsible for SEND: the
	// county (E10…) in two-tier areas, otherwise the district or unitary.
	LA       string
	District string // GSS code of the local authority district (lad)
	Ward     string // GSS ward code
	LSOA     string // GSS LSOA code
}

// Lookup answers postcode → area and coordinates → nearest postcode.
// It is read-only after loading and safe for concurrent use.
type Lookup struct {
	index  map[string]int32 // postcode without spaces → row
	rows   []row
	intern map[string]string
	grid   map[cell][]int32
	// MaxDistance is how far (metres) a coordinate may be from the nearest
	// postcode centroid and still take its area.
	MaxDistance float64
}

type row struct {
	pc           string
	la, district string
	ward, lsoa   string
	lat, lon     float32
	hasCoord     bool
}

type cell struct{ x, y int32 }

// cellSize is the grid cell in degrees (about 1.1 km north–south).
const cellSize = 0.01

func cellOf(lat, lon float64) cell {
	return cell{int32(math.Floor(lat / cellSize)), int32(math.Floor(lon / cellSize))}
}

// DefaultMaxDistance: a coordinate more than 1 km from any postcode centroid
// takes no area (it is offshore, outside the lookup's coverage, or wrong).
const DefaultMaxDistance = 1000

// Columns are matched by prefix because ONS renamed them over the years
// (laua/oslaua → lad25cd, osward → wd25cd, lsoa11 → lsoa21cd); the first
// prefix in each list that some header starts with wins.
var columnPrefixes = map[string][]string{
	"postcode": {"pcds", "pcd2", "pcd", "postcode"},
	"la":       {"lad", "oslaua", "laua"},
	"county":   {"cty", "oscty"},
	"ward":     {"wd", "osward", "ward"},
	"lsoa":     {"lsoa21", "lsoa11", "lsoa"},
	"lat":      {"lat"},
	"lon":      {"long", "lon"},
	"doterm":   {"doterm"},
}

// LoadFile reads a lookup CSV.
func LoadFile(path string) (*Lookup, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("postcode lookup: %w", err)
	}
	defer f.Close()
	l, err := Load(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("postcode lookup %s: %w", path, err)
	}
	return l, nil
}

// Load reads an ONS Postcode Directory style CSV through the shared CSV reader
// (internal/sheet: BOMs, charset, field and record limits, only the columns
// used copied). Terminated postcodes (doterm set) are skipped: their codes
// describe places that no longer exist.
func Load(r io.Reader) (*Lookup, error) {
	cr, err := sheet.OpenCSV(io.NopCloser(r), sheet.Options{HeaderRow: 1, Name: "postcode lookup"})
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	defer cr.Close()
	head := cr.Header()
	col := map[string]int{}
	for name, prefixes := range columnPrefixes {
		col[name] = -1
	prefix:
		for _, p := range prefixes {
			for i, h := range head {
				if strings.HasPrefix(strings.ToLower(h), p) {
					col[name] = i
					break prefix
				}
			}
		}
	}
	if col["postcode"] < 0 || col["la"] < 0 {
		return nil, errors.New("no postcode (pcds) or local authority (lad…cd/laua) column in the header")
	}
	cr.Select(slices.Collect(maps.Values(col)))
	l := &Lookup{index: map[string]int32{}, intern: map[string]string{}, grid: map[cell][]int32{},
		MaxDistance: DefaultMaxDistance}
	get := func(rec []string, name string) string {
		if i := col[name]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", cr.Line(), err)
		}
		if get(rec, "doterm") != "" {
			continue
		}
		pc, ok := Normalize(get(rec, "postcode"))
		if !ok {
			continue
		}
		rw := row{pc: pc, district: l.in(get(rec, "la")), ward: l.in(get(rec, "ward")), lsoa: l.in(get(rec, "lsoa"))}
		rw.la = rw.district
		// ONSPD writes the pseudo-code E99999999 for "no county" (unitary areas).
		if cty := get(rec, "county"); strings.HasPrefix(cty, "E10") {
			rw.la = l.in(cty)
		}
		lat, e1 := strconv.ParseFloat(get(rec, "lat"), 64)
		lon, e2 := strconv.ParseFloat(get(rec, "lon"), 64)
		// ONSPD writes 99.999999/0 for postcodes without a grid reference.
		if e1 == nil && e2 == nil && lat > -90 && lat < 90 && !(lat == 0 && lon == 0) {
			rw.lat, rw.lon, rw.hasCoord = float32(lat), float32(lon), true
		}
		key := strings.ReplaceAll(pc, " ", "")
		if _, dup := l.index[key]; dup {
			continue
		}
		l.index[key] = int32(len(l.rows))
		if rw.hasCoord {
			c := cellOf(lat, lon)
			l.grid[c] = append(l.grid[c], int32(len(l.rows)))
		}
		l.rows = append(l.rows, rw)
	}
	l.intern = nil // only needed while loading
	return l, nil
}

func (l *Lookup) in(s string) string {
	if v, ok := l.intern[s]; ok {
		return v
	}
	l.intern[s] = s
	return s
}

// Len is the number of live postcodes loaded.
func (l *Lookup) Len() int { return len(l.rows) }

func (l *Lookup) area(i int32) Area {
	r := &l.rows[i]
	return Area{Postcode: r.pc, LA: r.la, District: r.district, Ward: r.ward, LSOA: r.lsoa}
}

// Postcode looks a postcode up in any spacing or case.
func (l *Lookup) Postcode(pc string) (Area, bool) {
	if l == nil {
		return Area{}, false
	}
	n, ok := Normalize(pc)
	if !ok {
		return Area{}, false
	}
	i, ok := l.index[strings.ReplaceAll(n, " ", "")]
	if !ok {
		return Area{}, false
	}
	return l.area(i), true
}

// Nearest returns the area of the live postcode whose centroid is nearest to
// (lat, lon), if one lies within MaxDistance metres, and the distance.
func (l *Lookup) Nearest(lat, lon float64) (Area, float64, bool) {
	if l == nil || math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return Area{}, 0, false
	}
	c := cellOf(lat, lon)
	// Cells are about 1.1 km by 0.7 km in England; look far enough to cover MaxDistance.
	reach := int32(math.Ceil(l.MaxDistance/700)) + 1
	best, bestD := int32(-1), math.MaxFloat64
	for dx := -reach; dx <= reach; dx++ {
		for dy := -reach; dy <= reach; dy++ {
			for _, i := range l.grid[cell{c.x + dx, c.y + dy}] {
				r := &l.rows[i]
				if d := distance(lat, lon, float64(r.lat), float64(r.lon)); d < bestD {
					best, bestD = i, d
				}
			}
		}
	}
	if best < 0 || bestD > l.MaxDistance {
		return Area{}, 0, false
	}
	return l.area(best), bestD, true
}

// distance in metres, equirectangular: exact enough within a few kilometres.
func distance(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371000
	rad := math.Pi / 180
	x := (lon2 - lon1) * rad * math.Cos((lat1+lat2)/2*rad)
	y := (lat2 - lat1) * rad
	return r * math.Sqrt(x*x+y*y)
}

// Normalize formats a UK postcode as "OUTWARD INWARD" in capitals, and says
// whether it looks like one (outward code of 2–4 characters starting with a
// letter; inward code of a digit and two letters).
func Normalize(pc string) (string, bool) {
	var b [8]byte
	n := 0
	for i := 0; i < len(pc); i++ {
		c := pc[i]
		switch {
		case c == ' ' || c == '\t' || c == '\u00a0':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
		default:
			return "", false
		}
		if n == len(b) {
			return "", false
		}
		b[n] = c
		n++
	}
	if n < 5 || n > 7 {
		return "", false
	}
	in := b[n-3 : n]
	if !(in[0] >= '0' && in[0] <= '9') || !isLetter(in[1]) || !isLetter(in[2]) || !isLetter(b[0]) {
		return "", false
	}
	return string(b[:n-3]) + " " + string(in), true
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

// Centroid returns the coordinates of a postcode's centroid, when the lookup has them.
func (l *Lookup) Centroid(pc string) (lat, lon float64, ok bool) {
	if l == nil {
		return 0, 0, false
	}
	n, ok := Normalize(pc)
	if !ok {
		return 0, 0, false
	}
	i, ok := l.index[strings.ReplaceAll(n, " ", "")]
	if !ok || !l.rows[i].hasCoord {
		return 0, 0, false
	}
	return float64(l.rows[i].lat), float64(l.rows[i].lon), true
}

// Distance is the distance in metres between two points (equirectangular,
// exact enough within tens of kilometres).
func Distance(lat1, lon1, lat2, lon2 float64) float64 { return distance(lat1, lon1, lat2, lon2) }
