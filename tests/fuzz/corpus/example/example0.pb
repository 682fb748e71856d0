
.

label


image

‰PNG not really