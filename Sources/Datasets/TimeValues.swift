// Time columns as users hold them: Unix seconds, or ISO 8601 dates and date-times. Dates become Unix
// seconds (UTC unless the text gives an offset), so sorting and session gaps work the same either way.

/// Parses a number or an ISO date (`2020-01-31`, `2020-01-31 12:30`, `2020-01-31T12:30:00.5Z`,
/// `2020-01-31T12:30:00+02:00`) into seconds; nil for anything else.
func parseTime(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
    if let v = parseDouble(bytes, range) { return v }
    return parseISODate(bytes, range)
}

/// Parses an ISO 8601 calendar date with an optional time and offset into Unix seconds.
func parseISODate(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
    var i = range.lowerBound
    let end = range.upperBound
    /// Reads exactly `n` digits.
    func digits(_ n: Int) -> Int? {
        guard i + n <= end else { return nil }
        var v = 0
        for k in 0..<n {
            let d = Int(b[i + k]) - 48
            guard d >= 0 && d <= 9 else { return nil }
            v = v * 10 + d
        }
        i += n
        return v
    }
    func take(_ c: UInt8) -> Bool {
        guard i < end, b[i] == c else { return false }
        i += 1
        return true
    }
    guard let year = digits(4), take(45), let month = digits(2), take(45), let day = digits(2),
          (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
    var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86400
    guard i < end else { return seconds }
    guard take(84) || take(32) else { return nil }  // 'T' or a space
    guard let hour = digits(2), hour < 24, take(58), let minute = digits(2), minute < 60 else { return nil }
    seconds += Double(hour * 3600 + minute * 60)
    if take(58) {
        guard let second = digits(2), second < 61 else { return nil }
        seconds += Double(second)
        if take(46) {
            var scale = 0.1
            let start = i
            while i < end, b[i] >= 48, b[i] <= 57 {
                seconds += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
    }
    guard i < end else { return seconds }
    if take(90) { return i == end ? seconds : nil }  // 'Z'
    let sign: Double
    if take(43) { sign = 1 } else if take(45) { sign = -1 } else { return nil }
    guard let oh = digits(2), oh < 24 else { return nil }
    _ = take(58)
    guard let om = digits(2), om < 60, i == end else { return nil }
    // A local time at +02:00 is two hours ahead of UTC, so UTC is the local time minus the offset.
    return seconds - sign * Double(oh * 3600 + om * 60)
}

/// Days in `month` of `year` (proleptic Gregorian calendar).
private func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
private func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
}
