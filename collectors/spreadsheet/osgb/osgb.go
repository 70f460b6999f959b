// Package osgb converts Ordnance Survey National Grid eastings and northings
// (OSGB36) to WGS84 latitude and longitude: the transverse Mercator inverse on
// the Airy 1830 ellipsoid, then a 7-parameter Helmert shift. Accurate to a few
// metres, which is what school locations need (OSTN15 would give centimetres).
package osgb

import "math"

const (
	airyA, airyB = 6377563.396, 6356256.909
	wgsA, wgsB   = 6378137.000, 6356752.3142
	f0           = 0.9996012717
	lat0         = 49 * math.Pi / 180
	lon0         = -2 * math.Pi / 180
	n0, e0       = -100000.0, 400000.0
)

// ToOSGB36 is the inverse transverse Mercator projection: grid → OSGB36
// latitude/longitude in degrees (Ordnance Survey, "A guide to coordinate
// systems in Great Britain", annex C).
func ToOSGB36(easting, northing float64) (lat, lon float64) {
	a, b := airyA, airyB
	e2 := 1 - b*b/(a*a)
	n := (a - b) / (a + b)
	phi := lat0
	m := 0.0
	for {
		phi = (northing-n0-m)/(a*f0) + phi
		m = meridional(b, n, phi)
		if math.Abs(northing-n0-m) < 0.00001 {
			break
		}
	}
	sin, cos, tan := math.Sin(phi), math.Cos(phi), math.Tan(phi)
	nu := a * f0 / math.Sqrt(1-e2*sin*sin)
	rho := a * f0 * (1 - e2) / math.Pow(1-e2*sin*sin, 1.5)
	eta2 := nu/rho - 1
	sec := 1 / cos
	vii := tan / (2 * rho * nu)
	viii := tan / (24 * rho * nu * nu * nu) * (5 + 3*tan*tan + eta2 - 9*tan*tan*eta2)
	ix := tan / (720 * rho * math.Pow(nu, 5)) * (61 + 90*tan*tan + 45*math.Pow(tan, 4))
	x := sec / nu
	xi := sec / (6 * nu * nu * nu) * (nu/rho + 2*tan*tan)
	xii := sec / (120 * math.Pow(nu, 5)) * (5 + 28*tan*tan + 24*math.Pow(tan, 4))
	xiia := sec / (5040 * math.Pow(nu, 7)) * (61 + 662*tan*tan + 1320*math.Pow(tan, 4) + 720*math.Pow(tan, 6))
	de := easting - e0
	phi = phi - vii*de*de + viii*math.Pow(de, 4) - ix*math.Pow(de, 6)
	lam := lon0 + x*de - xi*math.Pow(de, 3) + xii*math.Pow(de, 5) - xiia*math.Pow(de, 7)
	return phi * 180 / math.Pi, lam * 180 / math.Pi
}

func meridional(b, n, phi float64) float64 {
	d, s := phi-lat0, phi+lat0
	return b * f0 * ((1+n+5.0/4*n*n+5.0/4*n*n*n)*d -
		(3*n+3*n*n+21.0/8*n*n*n)*math.Sin(d)*math.Cos(s) +
		(15.0/8*n*n+15.0/8*n*n*n)*math.Sin(2*d)*math.Cos(2*s) -
		35.0/24*n*n*n*math.Sin(3*d)*math.Cos(3*s))
}

// ToWGS84 converts grid coordinates to WGS84 latitude/longitude in degrees.
func ToWGS84(easting, northing float64) (lat, lon float64) {
	la, lo := ToOSGB36(easting, northing)
	x, y, z := toCartesian(la, lo, airyA, airyB)
	// OSGB36 → WGS84 Helmert parameters (the inverse of the OS's published
	// WGS84 → OSGB36 set).
	tx, ty, tz := 446.448, -125.157, 542.060
	s := -20.4894e-6
	rx := 0.1502 / 3600 * math.Pi / 180
	ry := 0.2470 / 3600 * math.Pi / 180
	rz := 0.8421 / 3600 * math.Pi / 180
	x2 := tx + (1+s)*x - rz*y + ry*z
	y2 := ty + rz*x + (1+s)*y - rx*z
	z2 := tz - ry*x + rx*y + (1+s)*z
	return fromCartesian(x2, y2, z2, wgsA, wgsB)
}

func toCartesian(lat, lon, a, b float64) (x, y, z float64) {
	phi, lam := lat*math.Pi/180, lon*math.Pi/180
	e2 := 1 - b*b/(a*a)
	nu := a / math.Sqrt(1-e2*math.Sin(phi)*math.Sin(phi))
	return nu * math.Cos(phi) * math.Cos(lam), nu * math.Cos(phi) * math.Sin(lam), (1 - e2) * nu * math.Sin(phi)
}

func fromCartesian(x, y, z, a, b float64) (lat, lon float64) {
	e2 := 1 - b*b/(a*a)
	p := math.Hypot(x, y)
	phi := math.Atan2(z, p*(1-e2))
	for i := 0; i < 10; i++ {
		nu := a / math.Sqrt(1-e2*math.Sin(phi)*math.Sin(phi))
		next := math.Atan2(z+e2*nu*math.Sin(phi), p)
		if math.Abs(next-phi) < 1e-12 {
			phi = next
			break
		}
		phi = next
	}
	return phi * 180 / math.Pi, math.Atan2(y, x) * 180 / math.Pi
}
