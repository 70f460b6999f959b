package gaps

// StatusStyle is a gap status's Okabe–Ito fill and its plain-English label,
// as the gap report draws it, for other reports that show gap statuses.
func StatusStyle(status string) (fill, label string) {
	st, ok := statusStyle[status]
	if !ok {
		return "#BBBBBB", status
	}
	return st.Fill, st.Label
}
