package health

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Handler serves the health report (serve's /reports/health): HTML by
// default, JSON at …/health.json and the fix list at …/health.csv.
// ?pipeline= (repeatable), ?la= (GSS code) and ?runs= choose as the CLI's flags do.
func Handler(c warehouse.Conn, format string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		o := Options{Pipelines: q["pipeline"], LACode: q.Get("la")}
		if v := q.Get("runs"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				badParam(w, "runs", "want a whole number from 1 to 1000")
				return
			}
			o.Runs = n
		}
		if err := o.Validate(); err != nil {
			badParam(w, "la or runs", err.Error())
			return
		}
		var b bytes.Buffer
		err := Write(r.Context(), c, o, format, &b, time.Now())
		switch {
		case errors.Is(err, ErrNoRuns):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]string{"error": "no_runs", "message": err.Error()})
			return
		case err != nil:
			http.Error(w, "the warehouse could not be read", http.StatusServiceUnavailable)
			return
		}
		switch format {
		case "json":
			w.Header().Set("Content-Type", "application/json")
		case "csv":
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="fix-list.csv"`)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		w.Write(b.Bytes())
	})
}

func badParam(w http.ResponseWriter, name, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"error": "bad_parameter", "message": fmt.Sprintf("%s: %s", name, msg)})
}
