package spreadsheet

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/pii"
)

// feedback maps one survey or mailbox row to a comment. Personal data is
// scrubbed here, before the record exists, so nothing downstream (warehouse,
// quarantine payloads, field_issues, warnings, logs) ever sees it.
func (m *mappingMapper) feedback(rv *rowValues, line int) *schema.Feedback {
	comment, c1 := pii.Scrub(rv.str("comment"))
	about, c2 := pii.Scrub(rv.str("about"))
	response, c3 := pii.Scrub(rv.str("response"))
	f := &schema.Feedback{
		LACode: rv.laCode("la_code", m.env.area), ReceivedDate: rv.date("received_date"),
		Comment: comment, About: about, Response: response, ResponseDate: rv.date("response_date"),
		Respondent: rv.str("respondent"), Status: rv.str("status"),
		Redactions: c1.Add(c2).Add(c3).Total(),
	}
	if rv.has("id") {
		if k := rv.str("id"); k != "" {
			f.ID = m.env.id("feedback/" + k)
			return f
		}
	}
	// Exports are re-sorted and re-downloaded: the key is the date and the
	// scrubbed text, not the row number, so a comment keeps its id.
	h := sha256.Sum256([]byte(f.ReceivedDate + "\x00" + comment))
	k := "feedback/" + hex.EncodeToString(h[:8])
	m.keys[k]++
	if n := m.keys[k]; n > 1 {
		k += "-" + strconv.Itoa(n)
	}
	f.ID = m.env.id(k)
	return f
}
