package dotnet

// findSection returns the offset of the given section (0 positive, 1
// negative, 2 zero) of a custom numeric format, or 0 when it is absent.
func findSection(format string, section int) int {
	if section == 0 {
		return 0
	}
	src := 0
	for {
		if src >= len(format) {
			return 0
		}
		ch := format[src]
		src++
		switch ch {
		case '\'', '"':
			for src < len(format) && format[src] != 0 {
				c := format[src]
				src++
				if c == ch {
					break
				}
			}
		case '\\':
			if src < len(format) && format[src] != 0 {
				src++
			}
		case ';':
			section--
			if section != 0 {
				continue
			}
			if src < len(format) && format[src] != 0 && format[src] != ';' {
				return src
			}
			return 0
		case 0:
			return 0
		}
	}
}

// numberToStringFormat applies a custom numeric format string, following
// .NET's Number.NumberToStringFormat step by step.
func numberToStringFormat(sb []byte, n *numBuf, format string) []byte {
	var (
		digitCount, decimalPos, firstDigit, lastDigit, digPos int
		scientific                                            bool
		thousandPos, thousandCount                            int
		thousandSeps                                          bool
		scaleAdjust, adjust                                   int
		section                                               int
	)
	if len(n.digits) == 0 {
		section = findSection(format, 2)
	} else if n.neg {
		section = findSection(format, 1)
	}
	for {
		digitCount = 0
		decimalPos = -1
		firstDigit = 0x7FFFFFFF
		lastDigit = 0
		scientific = false
		thousandPos = -1
		thousandSeps = false
		scaleAdjust = 0
		src := section
		for src < len(format) {
			ch := format[src]
			src++
			if ch == 0 || ch == ';' {
				break
			}
			switch ch {
			case '#':
				digitCount++
			case '0':
				if firstDigit == 0x7FFFFFFF {
					firstDigit = digitCount
				}
				digitCount++
				lastDigit = digitCount
			case '.':
				if decimalPos < 0 {
					decimalPos = digitCount
				}
			case ',':
				if digitCount > 0 && decimalPos < 0 {
					if thousandPos >= 0 {
						if thousandPos == digitCount {
							thousandCount++
							break
						}
						thousandSeps = true
					}
					thousandPos = digitCount
					thousandCount = 1
				}
			case '%':
				scaleAdjust += 2
			case 0xE2: // first byte of U+2030 PER MILLE SIGN
				if src+1 < len(format) && format[src] == 0x80 && format[src+1] == 0xB0 {
					scaleAdjust += 3
					src += 2
				}
			case '\'', '"':
				for src < len(format) && format[src] != 0 {
					c := format[src]
					src++
					if c == ch {
						break
					}
				}
			case '\\':
				if src < len(format) && format[src] != 0 {
					src++
				}
			case 'E', 'e':
				if (src < len(format) && format[src] == '0') ||
					(src+1 < len(format) && (format[src] == '+' || format[src] == '-') && format[src+1] == '0') {
					for src++; src < len(format) && format[src] == '0'; src++ {
					}
					scientific = true
				}
			}
		}
		if decimalPos < 0 {
			decimalPos = digitCount
		}
		if thousandPos >= 0 {
			if thousandPos == decimalPos {
				scaleAdjust -= thousandCount * 3
			} else {
				thousandSeps = true
			}
		}
		if len(n.digits) != 0 {
			n.scale += scaleAdjust
			pos := n.scale + digitCount - decimalPos
			if scientific {
				pos = digitCount
			}
			n.round(pos, false)
			if len(n.digits) == 0 {
				s := findSection(format, 2)
				if s != section {
					section = s
					continue
				}
			}
		} else {
			if n.kind != kindFloat {
				n.neg = false
			}
			n.scale = 0
		}
		break
	}

	if firstDigit < decimalPos {
		firstDigit = decimalPos - firstDigit
	} else {
		firstDigit = 0
	}
	if lastDigit > decimalPos {
		lastDigit = decimalPos - lastDigit
	} else {
		lastDigit = 0
	}
	if scientific {
		digPos = decimalPos
		adjust = 0
	} else {
		digPos = max(n.scale, decimalPos)
		adjust = n.scale - decimalPos
	}

	// Positions (counted from the decimal point) after which a group
	// separator is written, in decreasing order of use.
	var sepBuf [8]int
	seps := sepBuf[:0]
	if thousandSeps {
		total := digPos
		if adjust < 0 {
			total += adjust
		}
		numDigits := max(firstDigit, total)
		for g := 3; numDigits > g; g += 3 {
			seps = append(seps, g)
		}
	}
	sepCtr := len(seps) - 1

	start := len(sb)
	if n.neg && section == 0 && n.scale != 0 {
		sb = append(sb, negativeSign...)
	}
	decimalWritten := false
	cur := 0
	nextDigit := func() (byte, bool) {
		if cur < len(n.digits) {
			cur++
			return n.digits[cur-1], true
		}
		return 0, false
	}
	maybeSep := func() {
		if thousandSeps && digPos > 1 && sepCtr >= 0 && digPos == seps[sepCtr]+1 {
			sb = append(sb, groupSep...)
			sepCtr--
		}
	}
	src := section
	for src < len(format) {
		ch := format[src]
		src++
		if ch == 0 || ch == ';' {
			break
		}
		if adjust > 0 && (ch == '#' || ch == '0' || ch == '.') {
			for adjust > 0 {
				d, ok := nextDigit()
				if !ok {
					d = '0'
				}
				sb = append(sb, d)
				maybeSep()
				digPos--
				adjust--
			}
		}
		switch ch {
		case '#', '0':
			var out byte
			if adjust < 0 {
				adjust++
				if digPos <= firstDigit {
					out = '0'
				}
			} else if d, ok := nextDigit(); ok {
				out = d
			} else if digPos > lastDigit {
				out = '0'
			}
			if out != 0 {
				sb = append(sb, out)
				maybeSep()
			}
			digPos--
		case '.':
			if digPos != 0 || decimalWritten {
				break
			}
			if lastDigit < 0 || (decimalPos < digitCount && cur < len(n.digits)) {
				sb = append(sb, decimalSep...)
				decimalWritten = true
			}
		case 0xE2:
			if src+1 < len(format) && format[src] == 0x80 && format[src+1] == 0xB0 {
				src += 2
				sb = append(sb, perMilleSymbol...)
			} else {
				sb = append(sb, ch)
			}
		case '%':
			sb = append(sb, percentSymbol...)
		case ',':
		case '\'', '"':
			for src < len(format) && format[src] != 0 && format[src] != ch {
				sb = append(sb, format[src])
				src++
			}
			if src < len(format) && format[src] != 0 {
				src++
			}
		case '\\':
			if src < len(format) && format[src] != 0 {
				sb = append(sb, format[src])
				src++
			}
		case 'E', 'e':
			positive := false
			i := 0
			if scientific {
				switch {
				case src < len(format) && format[src] == '0':
					i++
				case src+1 < len(format) && format[src] == '+' && format[src+1] == '0':
					positive = true
				case src+1 < len(format) && format[src] == '-' && format[src+1] == '0':
				default:
					sb = append(sb, ch)
					continue
				}
				for src++; src < len(format) && format[src] == '0'; src++ {
					i++
				}
				i = min(i, 10)
				exp := 0
				if len(n.digits) != 0 {
					exp = n.scale - decimalPos
				}
				sb = formatExponent(sb, exp, ch, i, positive)
				scientific = false
			} else {
				sb = append(sb, ch)
				if src < len(format) {
					if format[src] == '+' || format[src] == '-' {
						sb = append(sb, format[src])
						src++
					}
					for src < len(format) && format[src] == '0' {
						sb = append(sb, format[src])
						src++
					}
				}
			}
		default:
			sb = append(sb, ch)
		}
	}
	if n.neg && section == 0 && n.scale == 0 && len(sb) > start {
		sb = append(sb, 0)
		copy(sb[start+1:], sb[start:])
		sb[start] = '-'
	}
	return sb
}
