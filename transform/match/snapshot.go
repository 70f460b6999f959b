package match

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// A snapshot is the whole index in a compact binary form, so a new process
// continues where the last pass left off without reading and preparing every
// record again. It holds prepared features, blocks and clusters; the maps
// are rebuilt on reading. The format is private to this package and
// versioned: a snapshot of another version is refused (and rebuilt by the
// caller from the warehouse).
const snapshotMagic = "LOMATCH2"

type snapWriter struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
	err error
}

func (s *snapWriter) uint(v uint64) {
	if s.err == nil {
		n := binary.PutUvarint(s.buf[:], v)
		_, s.err = s.w.Write(s.buf[:n])
	}
}

func (s *snapWriter) int(v int64) { s.uint(uint64(v<<1) ^ uint64(v>>63)) }

func (s *snapWriter) str(v string) {
	s.uint(uint64(len(v)))
	if s.err == nil {
		_, s.err = s.w.WriteString(v)
	}
}

func (s *snapWriter) strs(v []string) {
	s.uint(uint64(len(v)))
	for _, x := range v {
		s.str(x)
	}
}

func (s *snapWriter) i32s(v []int32) {
	s.uint(uint64(len(v)))
	for _, x := range v {
		s.int(int64(x))
	}
}

func (s *snapWriter) float(v float64) { s.uint(math.Float64bits(v)) }

// WriteSnapshot writes the index; id names the state it holds (the pass id),
// so a reader can tell a stale snapshot.
func (x *Index) WriteSnapshot(w io.Writer, id string) error {
	if len(x.staged) > 0 || len(x.restoring) > 0 {
		return errors.New("index snapshot: records are waiting for a pass")
	}
	s := &snapWriter{w: bufio.NewWriterSize(w, 1<<20)}
	s.str(snapshotMagic)
	s.str(id)
	s.str(string(x.opt.Kind))
	s.float(x.opt.Threshold)
	s.strs(x.strList)
	s.strs(x.words)
	s.i32s(x.df)
	s.uint(uint64(len(x.recs)))
	for i := range x.recs {
		r := &x.recs[i]
		e := &r.e
		s.str(e.ID)
		s.str(e.Pipeline)
		s.str(e.Name)
		s.strs(e.Keys)
		s.strs(e.Postcodes)
		s.uint(uint64(len(e.Points)))
		for _, p := range e.Points {
			s.float(p.Lat)
			s.float(p.Lon)
		}
		s.strs(e.Domains)
		s.str(e.Area)
		s.str(e.Org)
		s.uint(r.hash)
		s.uint(uint64(r.gen))
		s.int(int64(r.pipe))
		s.i32s(r.words)
		s.uint(uint64(len(r.grams)))
		for _, g := range r.grams {
			s.uint(uint64(g))
		}
		s.uint(uint64(len(r.pcs)))
		for _, p := range r.pcs {
			s.int(int64(p.pc))
			s.int(int64(p.sec))
			s.int(int64(p.dist))
		}
		s.i32s(r.doms)
		s.uint(uint64(len(r.keys)))
		for _, k := range r.keys {
			s.int(int64(k.scheme))
			s.int(int64(k.value))
		}
		s.int(int64(r.area))
		s.int(int64(r.root))
		s.int(int64(r.parent))
		s.float(float64(r.score))
		s.str(r.reason)
		s.str(r.outCanon)
		s.int(int64(r.outLinked))
		s.float(float64(r.outScore))
		s.str(r.outReason)
	}
	s.uint(uint64(len(x.blocks)))
	for k, list := range x.blocks {
		s.uint(k)
		n := 0
		for _, en := range list {
			if x.recs[en.slot].gen == en.gen {
				n++
			}
		}
		s.uint(uint64(n))
		for _, en := range list {
			if x.recs[en.slot].gen == en.gen {
				s.int(int64(en.slot))
				s.uint(uint64(en.gen))
			}
		}
	}
	if s.err != nil {
		return fmt.Errorf("write index snapshot: %w", s.err)
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("write index snapshot: %w", err)
	}
	return nil
}

// snapReader decodes from the whole file held as one string: every string
// of the index is a substring of it, so reading allocates almost nothing.
type snapReader struct {
	data string
	pos  int
	err  error
}

func (s *snapReader) uint() uint64 {
	if s.err != nil {
		return 0
	}
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if s.pos >= len(s.data) || shift > 63 {
			s.err = io.ErrUnexpectedEOF
			return 0
		}
		c := s.data[s.pos]
		s.pos++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
}

func (s *snapReader) int() int64 {
	u := s.uint()
	return int64(u>>1) ^ -int64(u&1)
}

// maxLen bounds any length read, so a damaged file fails instead of
// allocating without limit.
const maxLen = 1 << 28

func (s *snapReader) n() int {
	v := s.uint()
	if v > maxLen || (s.err == nil && v > uint64(len(s.data))) {
		s.err = fmt.Errorf("length %d out of range", v)
		return 0
	}
	return int(v)
}

func (s *snapReader) str() string {
	n := s.n()
	if s.err != nil || n == 0 {
		return ""
	}
	if s.pos+n > len(s.data) {
		s.err = io.ErrUnexpectedEOF
		return ""
	}
	v := s.data[s.pos : s.pos+n]
	s.pos += n
	return v
}

func (s *snapReader) strs() []string {
	n := s.n()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = s.str()
	}
	return out
}

func (s *snapReader) i32s() []int32 {
	n := s.n()
	if n == 0 {
		return nil
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(s.int())
	}
	return out
}

func (s *snapReader) float() float64 { return math.Float64frombits(s.uint()) }

// ReadSnapshot reads an index written by WriteSnapshot and returns it with
// the id it was written under. opt supplies what a file cannot hold
// (OrgCanonical); its kind and threshold must match the snapshot's.
func ReadSnapshot(r io.Reader, opt Options) (*Index, string, error) {
	x := NewIndex(opt)
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, "", fmt.Errorf("read index snapshot: %w", err)
	}
	s := &snapReader{data: string(data)}
	if m := s.str(); m != snapshotMagic {
		if s.err != nil {
			return nil, "", fmt.Errorf("read index snapshot: %w", s.err)
		}
		return nil, "", errors.New("read index snapshot: not a snapshot of this version")
	}
	id := s.str()
	if k, th := Kind(s.str()), s.float(); s.err == nil && (k != x.opt.Kind || th != x.opt.Threshold) {
		return nil, "", fmt.Errorf("read index snapshot: it holds %s at threshold %v, want %s at %v", k, th, x.opt.Kind, x.opt.Threshold)
	}
	x.strList = s.strs()
	x.words = s.strs()
	x.df = s.i32s()
	n := s.n()
	x.recs = make([]rec, n)
	for i := 0; i < n && s.err == nil; i++ {
		r := &x.recs[i]
		e := &r.e
		e.ID, e.Pipeline, e.Name = s.str(), s.str(), s.str()
		e.Keys, e.Postcodes = s.strs(), s.strs()
		if np := s.n(); np > 0 {
			e.Points = make([]Point, np)
			for j := range e.Points {
				e.Points[j] = Point{Lat: s.float(), Lon: s.float()}
			}
		}
		e.Domains = s.strs()
		e.Area, e.Org = s.str(), s.str()
		r.hash = s.uint()
		r.gen = uint32(s.uint())
		r.pipe = int32(s.int())
		r.words = s.i32s()
		if ng := s.n(); ng > 0 {
			r.grams = make([]uint16, ng)
			for j := range r.grams {
				g := s.uint()
				if g > math.MaxUint16 && s.err == nil {
					s.err = fmt.Errorf("letter pair %d out of range", g)
				}
				r.grams[j] = uint16(g)
			}
		}
		if np := s.n(); np > 0 {
			r.pcs = make([]place, np)
			for j := range r.pcs {
				r.pcs[j] = place{pc: int32(s.int()), sec: int32(s.int()), dist: int32(s.int())}
			}
		}
		r.doms = s.i32s()
		if nk := s.n(); nk > 0 {
			r.keys = make([]attr, nk)
			for j := range r.keys {
				r.keys[j] = attr{scheme: int32(s.int()), value: int32(s.int())}
			}
		}
		r.area = int32(s.int())
		r.root, r.parent = int32(s.int()), int32(s.int())
		r.score, r.reason = float32(s.float()), s.str()
		r.outCanon, r.outLinked = s.str(), int32(s.int())
		r.outScore, r.outReason = float32(s.float()), s.str()
	}
	nb := s.n()
	for i := 0; i < nb && s.err == nil; i++ {
		k := s.uint()
		m := s.n()
		list := make([]entry, m)
		for j := range list {
			list[j] = entry{slot: int32(s.int()), gen: uint32(s.uint())}
		}
		x.blocks[k] = list
	}
	if s.err != nil {
		return nil, "", fmt.Errorf("read index snapshot: %w", s.err)
	}
	// Rebuild the maps, checking every index so a damaged file cannot panic later.
	for i, w := range x.strList {
		x.strs[w] = int32(i)
	}
	x.isType = make([]bool, len(x.words))
	for i, w := range x.words {
		x.vocab[w] = int32(i)
		x.isType[i] = typeWords[w]
	}
	if len(x.df) != len(x.words) {
		return nil, "", errors.New("read index snapshot: word counts do not match the vocabulary")
	}
	members := map[int32][]int32{}
	for i := range x.recs {
		r := &x.recs[i]
		slot := int32(i)
		if err := x.checkRec(r); err != nil {
			return nil, "", fmt.Errorf("read index snapshot: record %d: %w", i, err)
		}
		x.byID[r.e.ID] = slot
		if r.e.Org != "" {
			x.byOrg[r.e.Org] = append(x.byOrg[r.e.Org], slot)
		}
		if r.root != slot {
			members[r.root] = append(members[r.root], slot)
		}
	}
	for _, list := range x.blocks {
		for _, en := range list {
			if en.slot < 0 || int(en.slot) >= len(x.recs) {
				return nil, "", errors.New("read index snapshot: a block names a record that is not there")
			}
		}
	}
	for root, ms := range members {
		ms = append(ms, root)
		canon := ""
		for _, m := range ms {
			if id := x.recs[m].e.ID; canon == "" || id < canon {
				canon = id
			}
		}
		x.clusters[root] = &cluster{members: ms, canon: canon}
		x.grouped += len(ms)
	}
	return x, id, nil
}

func (x *Index) checkRec(r *rec) error {
	n := int32(len(x.recs))
	inStr := func(v int32) bool { return v >= 0 && int(v) < len(x.strList) }
	if r.root < 0 || r.root >= n || r.parent < -1 || r.parent >= n || r.outLinked < -2 || r.outLinked >= n || !inStr(r.pipe) || !inStr(r.area) {
		return errors.New("index out of range")
	}
	for _, w := range r.words {
		if w < 0 || int(w) >= len(x.words) {
			return errors.New("word out of range")
		}
	}
	for _, p := range r.pcs {
		if !inStr(p.pc) || !inStr(p.sec) || !inStr(p.dist) {
			return errors.New("postcode out of range")
		}
	}
	for _, d := range r.doms {
		if !inStr(d) {
			return errors.New("domain out of range")
		}
	}
	for _, k := range r.keys {
		if !inStr(k.value) || (k.scheme >= 0 && !inStr(k.scheme)) {
			return errors.New("key out of range")
		}
	}
	return nil
}
