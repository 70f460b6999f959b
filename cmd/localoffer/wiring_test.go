package main

import (
	"testing"
	"time"

	"github.com/localoffer/localoffer/config"
)

func TestFetchOptionsCarriesHTTPSection(t *testing.T) {
	o := fetchOptions(config.HTTP{UserAgent: "ua", PerHostRPS: 2, Concurrency: 3, Timeout: time.Second, MaxBodyBytes: 9,
		Retries: 5, MaxBackoff: time.Minute, AllowedHosts: []string{"a.example"}, IgnoreRobots: true})
	if o.UserAgent != "ua" || o.PerHostRPS != 2 || o.Concurrency != 3 || o.Timeout != time.Second || o.MaxBodyBytes != 9 ||
		o.Retries != 5 || o.MaxBackoff != time.Minute || len(o.AllowedHosts) != 1 || !o.IgnoreRobots {
		t.Errorf("fetchOptions = %+v", o)
	}
}
