package schema

import "math/bits"

// fieldTable finds an object member's field with one hash of the name's
// length and first and last eight bytes and one string compare: a Go map
// costs about a quarter of the byte scan on real services. Built once per
// schema node with a seed and size under which no two names share a slot;
// if none is found the map is used.
type fieldTable struct {
	slot  []uint8 // 0: empty; else 1 + index in entry
	entry []fieldEntry
	seed  uint64
	shift uint8
}

type fieldEntry struct {
	name string
	f    field
}

func nameHash(k string, seed uint64) uint64 {
	var first, last uint64
	if len(k) >= 8 {
		first = load8(k)
		last = load8(k[len(k)-8:])
	} else {
		for i := 0; i < len(k); i++ {
			first |= uint64(k[i]) << (8 * i)
		}
	}
	h := (first ^ seed) * 0xbf58476d1ce4e5b9
	h ^= last + uint64(len(k))<<56
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// load8 reads eight bytes little-endian (the compiler merges the loads).
func load8(k string) uint64 {
	_ = k[7]
	return uint64(k[0]) | uint64(k[1])<<8 | uint64(k[2])<<16 | uint64(k[3])<<24 |
		uint64(k[4])<<32 | uint64(k[5])<<40 | uint64(k[6])<<48 | uint64(k[7])<<56
}

// newFieldTable returns false when no collision-free layout was found
// within the limits (up to 255 names, 8 slots a name rounded to a power of two).
func newFieldTable(fields map[string]field) (fieldTable, bool) {
	n := len(fields)
	if n == 0 || n > 255 {
		return fieldTable{}, false
	}
	entries := make([]fieldEntry, 0, n)
	for k, f := range fields {
		entries = append(entries, fieldEntry{k, f})
	}
	minBits := bits.Len(uint(n - 1)) // 2^minBits >= n
	for b := minBits + 1; b <= minBits+3; b++ {
		for s := uint64(1); s <= 64; s++ {
			seed := s * 0x9e3779b97f4a7c15
			shift := uint8(64 - b)
			slot := make([]uint8, 1<<b)
			ok := true
			for i, e := range entries {
				j := nameHash(e.name, seed) >> shift
				if slot[j] != 0 {
					ok = false
					break
				}
				slot[j] = uint8(i + 1)
			}
			if ok {
				return fieldTable{slot: slot, entry: entries, seed: seed, shift: shift}, true
			}
		}
	}
	return fieldTable{}, false
}

func (t *fieldTable) lookup(k string) (field, bool) {
	i := t.slot[nameHash(k, t.seed)>>t.shift]
	if i == 0 {
		return field{}, false
	}
	e := &t.entry[i-1]
	if e.name != k {
		return field{}, false
	}
	return e.f, true
}
