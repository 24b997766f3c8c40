"""gigalert web: the freelancer's side — pages and the freelancer JSON API."""
