"""The comments inbox: a period's comments, masked, filtered, searched, tagged, exported."""
