"""The monthly satisfaction report: content, formats, schedule."""
