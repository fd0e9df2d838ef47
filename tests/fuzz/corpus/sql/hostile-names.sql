CREATE TABLE "t; DROP TABLE canary; --" (id int, "c""x" int REFERENCES "t; DROP TABLE canary; --"(id));
