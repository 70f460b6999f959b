package needs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/internal/golden"
)

func builtinVocab(t testing.TB) *Vocab {
	t.Helper()
	v, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGolden(t *testing.T) {
	v := builtinVocab(t)
	golden.Records(t, func(recs []*schema.Record) {
		for _, r := range recs {
			v.Apply(r.Service)
		}
	})
}

func codes(fs []Found) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code+f.Area)
	}
	return out
}

// False positives matter as much as hits: each text here must map to exactly want.
func TestFindText(t *testing.T) {
	v := builtinVocab(t)
	cases := []struct {
		text string
		want []string
	}{
		{"We use a visual timetable every morning", nil},
		{"We love hearing from parents and carers", nil},
		{"Our hall has a hearing loop", nil},
		{"Not suitable for wheelchair users, sorry", nil},
		{"Ask at Reception about blinds for the windows", nil},
		{"Asc team (adult social care) can advise", nil},
		{"Open Monday to Friday, 9am to 5pm", nil},
		{"hi there, all welcome", nil},
		{"Children with autism", []string{"ASD"}},
		{"ADHD support group", []string{"SEMH"}},
		{"help with dyslexia", []string{"SPLD"}},
		{"Deaf-blind children", []string{"MSI"}},
		{"for deafblind young people", []string{"MSI"}},
		{"wheelchair users welcome", []string{"PD"}},
		{"complex needs", []string{"OTH"}},
		{"Children who are deaf or visually impaired", []string{"HI", "VI"}},
		{"speech, language and communication needs", []string{"SLCN"}},
		{"children's mental health", []string{"SEMH"}},
		{"learning difficulties", []string{schema.AreaCognition}},
	}
	for _, c := range cases {
		if got := codes(v.FindText(c.text, "description")); !slices.Equal(got, c.want) {
			t.Errorf("FindText(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestCodesOnlyInLabels(t *testing.T) {
	v := builtinVocab(t)
	if got := codes(v.FindLabel("HI - Hearing Impairment", "need")); !slices.Contains(got, "HI") {
		t.Errorf("FindLabel(HI - Hearing Impairment) = %v", got)
	}
	if got := codes(v.FindLabel("PD", "need")); !slices.Equal(got, []string{"PD"}) {
		t.Errorf("FindLabel(PD) = %v", got)
	}
	if got := codes(v.FindText("PD day on Friday", "description")); len(got) != 0 {
		t.Errorf("bare code matched in free text: %v", got)
	}
}

func TestADHDNoteAnnotated(t *testing.T) {
	v := builtinVocab(t)
	s := &schema.Service{Name: "ADHD group"}
	v.Apply(s)
	if !slices.Equal(s.NeedCodes, []string{"SEMH"}) || len(s.Annotations) != 1 || !strings.Contains(s.Annotations[0].Rule, "Code of Practice") {
		t.Errorf("ADHD: codes %v annotations %+v", s.NeedCodes, s.Annotations)
	}
}

func TestOverrideFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "needs.yaml")
	os.WriteFile(p, []byte("needs:\n  - code: PD\n    terms: [spina bifida]\n"), 0o644)
	v, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(v.FindText("Children with spina bifida", "description")); !slices.Equal(got, []string{"PD"}) {
		t.Errorf("override vocabulary: %v", got)
	}
	for name, bad := range map[string]string{
		"unknown code": "needs:\n  - code: XYZ\n    terms: [x]\n",
		"unknown area": "needs:\n  - area: feelings\n    terms: [x]\n",
		"unknown key":  "needs:\n  - code: PD\n    term: [x]\n",
		"no terms":     "needs:\n  - code: PD\n",
		"duplicate":    "needs:\n  - code: PD\n    terms: [x]\n  - code: HI\n    terms: [x]\n",
		"empty":        "exclude: [a]\n",
	} {
		if _, err := Parse(name, []byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func BenchmarkApply(b *testing.B) {
	v := builtinVocab(b)
	desc := strings.Repeat("Support for children and young people with autism, ADHD and speech and language needs, run by our friendly team at the community centre. ", 3)
	b.ReportAllocs()
	for b.Loop() {
		s := schema.Service{Name: "Autism support group", Description: desc, EligibilityDescription: "Children 5-11 with SEND"}
		v.Apply(&s)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
