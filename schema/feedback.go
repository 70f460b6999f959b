package schema

// Feedback is one comment about the Local Offer from a survey or mailbox
// export, with personal data already removed (transform/pii) and the needs,
// age bands and categories it mentions. Comments are never exported as HSDS.
type Feedback struct {
	ID           string      `json:"id"`
	LACode       string      `json:"la_code,omitempty"`
	ReceivedDate string      `json:"received_date"` // YYYY-MM-DD
	Comment      string      `json:"comment"`
	Respondent   string      `json:"respondent,omitempty"` // parent_carer | young_person | professional | other
	About        string      `json:"about,omitempty"`      // the service or page the comment names
	Response     string      `json:"response,omitempty"`
	ResponseDate string      `json:"response_date,omitempty"` // YYYY-MM-DD
	Status       string      `json:"status,omitempty"`        // open | answered | closed
	NeedCodes    []string    `json:"need_codes,omitempty"`
	AgeBands     []string    `json:"age_bands,omitempty"`
	Categories   []string    `json:"categories,omitempty"`
	Redactions   int         `json:"redactions"` // personal data items replaced by placeholders
	Provenance   *Provenance `json:"provenance,omitempty"`
}

// Respondent kinds.
const (
	RespondentParentCarer  = "parent_carer"
	RespondentYoungPerson  = "young_person"
	RespondentProfessional = "professional"
	RespondentOther        = "other"
)
