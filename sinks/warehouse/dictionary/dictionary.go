// Package dictionary is the warehouse's data dictionary, read from the
// warehouse itself (system.tables and system.columns: names, types and the
// COMMENTs the migrations set), rendered as text, Markdown or HTML.
package dictionary

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Column is one column of a table or view.
type Column struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Comment string `json:"comment"`
}

// Table is a table or view with its columns in order.
type Table struct {
	Name    string   `json:"name"`
	Engine  string   `json:"engine"`
	Comment string   `json:"comment"`
	Columns []Column `json:"columns"`
}

// Kind is "view" for views and "table" otherwise.
func (t Table) Kind() string {
	if strings.HasSuffix(t.Engine, "View") {
		return "view"
	}
	return "table"
}

// Load lists every table and view of the warehouse's database with its
// columns, sorted by name. Hidden tables (names starting with a dot, such as
// a materialised view's inner table) are left out.
func Load(ctx context.Context, c warehouse.Conn) ([]Table, error) {
	type tableRow struct {
		Name    string `json:"name"`
		Engine  string `json:"engine"`
		Comment string `json:"comment"`
	}
	trows, err := warehouse.QueryInto[tableRow](ctx, c, `SELECT name, engine, comment FROM system.tables
		WHERE database = currentDatabase() AND NOT startsWith(name, '.') AND NOT is_temporary ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	type columnRow struct {
		Table   string `json:"table"`
		Name    string `json:"name"`
		Type    string `json:"type"`
		Comment string `json:"comment"`
	}
	crows, err := warehouse.QueryInto[columnRow](ctx, c, `SELECT table, name, type, comment FROM system.columns
		WHERE database = currentDatabase() ORDER BY table, position`)
	if err != nil {
		return nil, fmt.Errorf("list columns: %w", err)
	}
	byTable := map[string][]Column{}
	for _, r := range crows {
		byTable[r.Table] = append(byTable[r.Table], Column{Name: r.Name, Type: r.Type, Comment: r.Comment})
	}
	out := make([]Table, 0, len(trows))
	for _, r := range trows {
		out = append(out, Table{Name: r.Name, Engine: r.Engine, Comment: r.Comment, Columns: byTable[r.Name]})
	}
	return out, nil
}

// oneLine keeps a comment on one line (and a table cell in one cell).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// WriteText renders the dictionary for a terminal.
func WriteText(w io.Writer, tables []Table) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s (%s, %s)\n", t.Name, t.Kind(), t.Engine)
		if t.Comment != "" {
			fmt.Fprintf(tw, "  %s\n", oneLine(t.Comment))
		}
		for _, c := range t.Columns {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Name, c.Type, oneLine(c.Comment))
		}
		// Flush per table so column widths fit each table, not the widest of all.
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return tw.Flush()
}

// markdownCell escapes what would break a Markdown table cell.
func markdownCell(s string) string {
	s = oneLine(s)
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "<", "&lt;")
	return s
}

// WriteMarkdown renders the dictionary as Markdown: a section per table or
// view with its comment and a table of its columns.
func WriteMarkdown(w io.Writer, title string, tables []Table) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", markdownCell(title))
	for _, t := range tables {
		fmt.Fprintf(&b, "## %s\n\n", markdownCell(t.Name))
		fmt.Fprintf(&b, "%s (%s).", strings.ToUpper(t.Kind()[:1])+t.Kind()[1:], markdownCell(t.Engine))
		if t.Comment != "" {
			fmt.Fprintf(&b, " %s", markdownCell(t.Comment))
		}
		b.WriteString("\n\n| column | type | description |\n|---|---|---|\n")
		for _, c := range t.Columns {
			fmt.Fprintf(&b, "| %s | `%s` | %s |\n", markdownCell(c.Name), strings.ReplaceAll(markdownCell(c.Type), "`", "'"), markdownCell(c.Comment))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var page = template.Must(template.New("dictionary").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}
code{font-size:.9em}
nav ul{columns:3}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{len .Tables}} tables and views, generated from the warehouse's own column and table comments.</p>
<nav><ul>{{range .Tables}}<li><a href="#{{.Name}}">{{.Name}}</a> ({{.Kind}})</li>{{end}}</ul></nav>
{{range .Tables}}
<section id="{{.Name}}">
<h2>{{.Name}}</h2>
<p>{{.Kind}}, <code>{{.Engine}}</code>.{{if .Comment}} {{.Comment}}{{end}}</p>
<table>
<thead><tr><th>column</th><th>type</th><th>description</th></tr></thead>
<tbody>{{range .Columns}}
<tr><td><code>{{.Name}}</code></td><td><code>{{.Type}}</code></td><td>{{.Comment}}</td></tr>{{end}}
</tbody>
</table>
</section>
{{end}}
</body>
</html>
`))

// WriteHTML renders the dictionary as a self-contained HTML page (everything
// from the warehouse is escaped), for serve's /docs/warehouse.
func WriteHTML(w io.Writer, title string, tables []Table) error {
	return page.Execute(w, struct {
		Title  string
		Tables []Table
	}{title, tables})
}

// Handler serves the dictionary as HTML, read from the warehouse on each request.
func Handler(c warehouse.Conn, title string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tables, err := Load(r.Context(), c)
		if err != nil {
			http.Error(w, "the warehouse could not be read", http.StatusServiceUnavailable)
			return
		}
		var b bytes.Buffer
		if err := WriteHTML(&b, title, tables); err != nil {
			http.Error(w, "rendering failed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b.Bytes())
	})
}
