"""Investment projects (投资项目, C24): registration with a national-layout project
code, instant filing (备案) against the approval catalogue, the filing notice.
Other contexts and the functions import only `api` and `events`."""
