# Images for docker-compose.yml, built from this repository (no other downloads than Maven's):
#   target cst    the cst launcher (model server, replay, live sources): docker build --target cst
#   target flink  Flink 2.2.1 with the job jar in usrlib/, DJL and CPU libtorch in lib/ (the CST
#                 stage's native code belongs to the cluster's class loader) and Flink's
#                 Prometheus reporter in plugins/
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests install \
 && mkdir -p /out/cst/lib /out/flink-lib \
 && cp flink-jobs/target/flink-jobs-*-SNAPSHOT.jar /out/cst/lib/ \
 && mvn -B -q -pl flink-jobs dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory=/out/cst/lib \
 && cp flink-jobs/target/flink-jobs-*-cluster.jar /out/cst-job.jar \
 && mvn -B -q -pl model-server dependency:copy-dependencies -DincludeScope=runtime \
        -DincludeGroupIds=ai.djl,ai.djl.pytorch,com.google.code.gson -DoutputDirectory=/out/flink-lib \
 && cp -r flink-cluster/target/flink/plugins /out/flink-plugins

FROM eclipse-temurin:17-jre AS cst
COPY --from=build /out/cst/lib /opt/cst/lib
WORKDIR /opt/cst
ENTRYPOINT ["java", "-XX:+UseG1GC", "-Dai.djl.offline=true", "-Dcst.log.dir=/opt/cst/logs", \
            "-cp", "/opt/cst/lib/*", "org.cststream.cli.Cst"]

FROM flink:2.2.1-java17 AS flink
COPY --from=build /out/flink-lib/ /opt/flink/lib/
COPY --from=build /out/flink-plugins/ /opt/flink/plugins/
COPY --from=build /out/cst-job.jar /opt/flink/usrlib/cst-job.jar
