package foo // foo.go-contents
