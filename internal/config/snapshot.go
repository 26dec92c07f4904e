package config

// NamedValueByDisplayName returns the named value that policies reference as
// {{displayName}}, or nil. Display names are compared exactly.
func (s *Snapshot) NamedValueByDisplayName(displayName string) *NamedValue {
	for _, nv := range s.NamedValues {
		if nv.DisplayName == displayName {
			return nv
		}
	}
	return nil
}
