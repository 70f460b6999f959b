package osgb

import (
	"math"
	"testing"
)

func TestOSWorkedExample(t *testing.T) {
	// Ordnance Survey guide, annex C worked example: 651409.903E 313177.270N
	// is 52°39′27.2531″N 1°43′4.5177″E on OSGB36.
	lat, lon := ToOSGB36(651409.903, 313177.270)
	wantLat := 52 + 39.0/60 + 27.2531/3600
	wantLon := 1 + 43.0/60 + 4.5177/3600
	if math.Abs(lat-wantLat) > 1e-6 || math.Abs(lon-wantLon) > 1e-6 {
		t.Fatalf("OSGB36 = %.7f, %.7f; want %.7f, %.7f", lat, lon, wantLat, wantLon)
	}
}

func TestWGS84Caister(t *testing.T) {
	// The same point on WGS84 (Helmert, as published by Movable Type's
	// OS-derived reference implementation): 52°39′28.72″N 1°42′57.79″E.
	lat, lon := ToWGS84(651409.903, 313177.270)
	wantLat := 52 + 39.0/60 + 28.72/3600
	wantLon := 1 + 42.0/60 + 57.79/3600
	if math.Abs(lat-wantLat) > 0.5/3600 || math.Abs(lon-wantLon) > 0.5/3600 {
		t.Fatalf("WGS84 = %.6f, %.6f; want %.6f, %.6f", lat, lon, wantLat, wantLon)
	}
}

func TestWGS84(t *testing.T) {
	// The datum shift in southern England is under 150 m and moves points
	// west; Portsmouth Guildhall (464100E 100300N) must land in Portsmouth.
	lat, lon := ToWGS84(464100, 100300)
	olat, olon := ToOSGB36(464100, 100300)
	dLat := (lat - olat) * 111320
	dLon := (lon - olon) * 111320 * math.Cos(lat*math.Pi/180)
	if d := math.Hypot(dLat, dLon); d < 50 || d > 150 || dLon > 0 {
		t.Fatalf("shift %.0f m (dLon %.0f m); want 50–150 m westward", d, dLon)
	}
	if lat < 50.78 || lat > 50.81 || lon < -1.11 || lon > -1.07 {
		t.Fatalf("Guildhall at %.5f, %.5f: not in Portsmouth", lat, lon)
	}
}
