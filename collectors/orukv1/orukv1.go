// Package orukv1 collects Open Referral UK 1.0 APIs (e.g. LocalGov Drupal's
// /openreferral/v1/services and Placecube Open Place directories): pages of
// {content, totalElements, totalPages, number, size, first, last} with
// eligibilitys, service_taxonomys, regular_schedules and the pc_* vendor
// extensions. The walk is hsdsapi's; the mapping is hsdsmap's, which reads
// both generations.
package orukv1

import (
	"github.com/localoffer/localoffer/collectors/hsdsapi"
)

// V1 is the ORUK 1.0 dialect: no modified_after (every run is a full sweep,
// made cheap by conditional GETs), taxonomies travel inside services, and
// every address is in the UK.
var V1 = hsdsapi.Dialect{Name: "ORUK 1.0", UK: true}

// New returns an oruk_v1_api collector for a base URL (a trailing /services is accepted).
func New(base string, o hsdsapi.Options) *hsdsapi.Collector {
	return &hsdsapi.Collector{Base: hsdsapi.TrimServices(base), Opts: o, Dialect: V1}
}
