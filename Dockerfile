# Image of the cst launcher for docker-compose: builds the project, runs a cst subcommand.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests install

FROM eclipse-temurin:17-jre
WORKDIR /opt/cst
COPY --from=build /src /opt/cst
ENTRYPOINT ["/opt/cst/cst"]
