package bar // bar-contents
