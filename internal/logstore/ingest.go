package logstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/kql"
)

// columnIndex maps a column name to its index in columns.
var columnIndex = func() map[string]int {
	m := make(map[string]int, len(columns))
	for i, c := range columns {
		m[c.Name] = i
	}
	return m
}()

// insertSQL inserts one row of every column.
var insertSQL = func() string {
	var names, marks []string
	for _, c := range columns {
		names = append(names, strconv.Quote(c.Name))
		marks = append(marks, "?")
	}
	return fmt.Sprintf("INSERT INTO %q (%s) VALUES (%s)", TableName, strings.Join(names, ", "), strings.Join(marks, ", "))
}()

// parseLine turns one JSON log line into the values of a row, in the order
// of columns. Names the table does not have are ignored; a missing string is
// empty, any other missing value NULL.
func parseLine(line []byte, row []any) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		return err
	}
	for i, c := range columns {
		if c.Type == kql.String {
			row[i] = ""
		} else {
			row[i] = nil
		}
	}
	for k, raw := range obj {
		i, ok := columnIndex[k]
		if !ok {
			continue
		}
		raw = bytes.TrimSpace(raw)
		if string(raw) == "null" {
			continue
		}
		v, err := decodeValue(columns[i].Type, raw)
		if err != nil {
			return fmt.Errorf("%s: %v", k, err)
		}
		row[i] = v
	}
	if row[0] == nil {
		return fmt.Errorf("the line has no TimeGenerated")
	}
	return nil
}

func decodeValue(t kql.Type, raw json.RawMessage) (any, error) {
	switch t {
	case kql.String:
		if raw[0] == '"' {
			var s string
			err := json.Unmarshal(raw, &s)
			return s, err
		}
		return string(raw), nil
	case kql.Dynamic:
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return nil, err
		}
		return b.String(), nil
	case kql.DateTime:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("a datetime must be a string: %s", raw)
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("invalid datetime %q", s)
		}
		return tm.UnixNano(), nil
	case kql.Bool:
		switch string(raw) {
		case "true", `"true"`, `"True"`:
			return int64(1), nil
		case "false", `"false"`, `"False"`:
			return int64(0), nil
		}
		return nil, fmt.Errorf("invalid bool %s", raw)
	case kql.Int, kql.Long:
		s := strings.Trim(string(raw), `"`)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid number %s", raw)
		}
		return int64(f), nil
	case kql.Real:
		f, err := strconv.ParseFloat(strings.Trim(string(raw), `"`), 64)
		if err != nil {
			return nil, fmt.Errorf("invalid number %s", raw)
		}
		return f, nil
	}
	return nil, fmt.Errorf("unsupported column type %s", t)
}
