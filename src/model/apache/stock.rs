//! The stock Debian `apache2.conf` htguard assumes around a vhost snippet or a lone
//! `.htaccess` (Debian 12, apache2 2.4: the modules `a2enmod` enables by default and the
//! directory defaults from /etc/apache2/apache2.conf).

/// Path shown for the assumed main config (it is not a file on disk).
pub const STOCK_PATH: &str = "(assumed stock Debian apache2.conf)";

/// ServerRoot of a stock Debian install.
pub const SERVER_ROOT: &str = "/etc/apache2";

/// The assumed main configuration; `{INCLUDE}` is replaced by the checked file's
/// directives (vhost snippet) or by nothing (`.htaccess`).
pub const STOCK_CONF: &str = r#"# Assumed: stock Debian apache2.conf (htguard)
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule access_compat_module /usr/lib/apache2/modules/mod_access_compat.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule auth_basic_module /usr/lib/apache2/modules/mod_auth_basic.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
LoadModule autoindex_module /usr/lib/apache2/modules/mod_autoindex.so
LoadModule deflate_module /usr/lib/apache2/modules/mod_deflate.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule env_module /usr/lib/apache2/modules/mod_env.so
LoadModule filter_module /usr/lib/apache2/modules/mod_filter.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule negotiation_module /usr/lib/apache2/modules/mod_negotiation.so
LoadModule reqtimeout_module /usr/lib/apache2/modules/mod_reqtimeout.so
LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so
LoadModule status_module /usr/lib/apache2/modules/mod_status.so
User ${APACHE_RUN_USER}
Group ${APACHE_RUN_GROUP}
AccessFileName .htaccess
DocumentRoot /var/www/html
<Directory />
	Options FollowSymLinks
	AllowOverride None
	Require all denied
</Directory>
<Directory /usr/share>
	AllowOverride None
	Require all granted
</Directory>
<Directory /var/www/>
	Options Indexes FollowSymLinks
	AllowOverride None
	Require all granted
</Directory>
<FilesMatch "^\.ht">
	Require all denied
</FilesMatch>
"#;
